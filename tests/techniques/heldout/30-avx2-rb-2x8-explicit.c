/* techniques: simd register_blocking unrolling */
#include <immintrin.h>

static double dot_ij(int n, int k, const double *A, const double *B, int i, int j)
{
    double s = 0.0;
    for (int p = 0; p < k; p++) s += A[(long)i*k + p] * B[(long)p*n + j];
    return s;
}

/* 2 x 8 micro-tile: four __m256d accumulators, one FMA per accumulator per k */
void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    const int m2 = m & ~1, n8 = n & ~7;
    for (int i = 0; i < m2; i += 2) {
        const double *a0 = A + (long)i * k, *a1 = a0 + k;
        for (int j = 0; j < n8; j += 8) {
            __m256d c00 = _mm256_setzero_pd(), c01 = _mm256_setzero_pd();
            __m256d c10 = _mm256_setzero_pd(), c11 = _mm256_setzero_pd();
            for (int p = 0; p < k; p++) {
                const double *b = B + (long)p * n + j;
                const __m256d b0 = _mm256_loadu_pd(b);
                const __m256d b1 = _mm256_loadu_pd(b + 4);
                const __m256d x0 = _mm256_broadcast_sd(a0 + p);
                const __m256d x1 = _mm256_broadcast_sd(a1 + p);
                c00 = _mm256_fmadd_pd(x0, b0, c00);
                c01 = _mm256_fmadd_pd(x0, b1, c01);
                c10 = _mm256_fmadd_pd(x1, b0, c10);
                c11 = _mm256_fmadd_pd(x1, b1, c11);
            }
            double *c = C + (long)i * n + j;
            _mm256_storeu_pd(c, c00);
            _mm256_storeu_pd(c + 4, c01);
            _mm256_storeu_pd(c + n, c10);
            _mm256_storeu_pd(c + n + 4, c11);
        }
    }
    for (int i = 0; i < m; i++)
        for (int j = (i < m2 ? n8 : 0); j < n; j++)
            C[(long)i * n + j] = dot_ij(n, k, A, B, i, j);
}
