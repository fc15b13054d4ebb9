/* techniques: simd */
/* One __m256d accumulator per 4-wide piece of a row of C: explicit SIMD, but
   only a single vector accumulator lives across the k loop. */
#include <immintrin.h>

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    for (int i = 0; i < m; i++) {
        const double *a = A + (long)i * k;
        int j = 0;
        for (; j + 4 <= n; j += 4) {
            __m256d acc = _mm256_setzero_pd();
            for (int p = 0; p < k; p++)
                acc = _mm256_fmadd_pd(_mm256_set1_pd(a[p]), _mm256_loadu_pd(B + (long)p * n + j), acc);
            _mm256_storeu_pd(C + (long)i * n + j, acc);
        }
        for (; j < n; j++) {
            double s = 0.0;
            for (int p = 0; p < k; p++) s += a[p] * B[(long)p * n + j];
            C[(long)i * n + j] = s;
        }
    }
}
