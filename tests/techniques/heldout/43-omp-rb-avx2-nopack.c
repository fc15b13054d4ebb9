/* techniques: openmp simd register_blocking unrolling */
#include <immintrin.h>

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    const int m4 = m / 4 * 4;
    const int n4 = n / 4 * 4;

#pragma omp parallel for schedule(static)
    for (int i = 0; i < m4; i += 4) {
        const double *a0 = A + (long)i * k, *a1 = a0 + k, *a2 = a1 + k, *a3 = a2 + k;
        for (int j = 0; j < n4; j += 4) {
            __m256d r0 = _mm256_setzero_pd();
            __m256d r1 = _mm256_setzero_pd();
            __m256d r2 = _mm256_setzero_pd();
            __m256d r3 = _mm256_setzero_pd();
            for (int p = 0; p < k; p++) {
                const __m256d bv = _mm256_loadu_pd(&B[(long)p * n + j]);
                r0 = _mm256_fmadd_pd(_mm256_set1_pd(a0[p]), bv, r0);
                r1 = _mm256_fmadd_pd(_mm256_set1_pd(a1[p]), bv, r1);
                r2 = _mm256_fmadd_pd(_mm256_set1_pd(a2[p]), bv, r2);
                r3 = _mm256_fmadd_pd(_mm256_set1_pd(a3[p]), bv, r3);
            }
            _mm256_storeu_pd(&C[(long)(i + 0) * n + j], r0);
            _mm256_storeu_pd(&C[(long)(i + 1) * n + j], r1);
            _mm256_storeu_pd(&C[(long)(i + 2) * n + j], r2);
            _mm256_storeu_pd(&C[(long)(i + 3) * n + j], r3);
        }
    }

    /* what the 4x4 tiles did not cover: scalar dot products */
#pragma omp parallel for schedule(static)
    for (int i = 0; i < m; i++)
        for (int j = (i < m4 ? n4 : 0); j < n; j++) {
            double s = 0.0;
            for (int p = 0; p < k; p++)
                s += A[(long)i * k + p] * B[(long)p * n + j];
            C[(long)i * n + j] = s;
        }
}
