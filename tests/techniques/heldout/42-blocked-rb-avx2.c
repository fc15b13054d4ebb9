/* techniques: cache_blocking simd register_blocking */
#include <immintrin.h>
#include <stddef.h>

#define KC 128
#define MC 48

/* rows i..i+R-1 (R <= 4), columns j..j+3, k range [p0, p1); four ymm accumulators */
static inline void rb4(int R, int n, int k, const double *A, const double *B, double *C,
                       int i, int j, int p0, int p1)
{
    __m256d acc[4];
    for (int r = 0; r < 4; r++)
        acc[r] = r < R && p0 > 0 ? _mm256_loadu_pd(C + (size_t)(i + r) * n + j)
                                 : _mm256_setzero_pd();
    for (int p = p0; p < p1; p++) {
        const __m256d b = _mm256_loadu_pd(B + (size_t)p * n + j);
        for (int r = 0; r < R; r++)
            acc[r] = _mm256_fmadd_pd(_mm256_set1_pd(A[(size_t)(i + r) * k + p]), b, acc[r]);
    }
    for (int r = 0; r < R; r++)
        _mm256_storeu_pd(C + (size_t)(i + r) * n + j, acc[r]);
}

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    const int n4 = n / 4 * 4;
    for (int pp = 0; pp < k; pp += KC) {
        const int pe = pp + KC < k ? pp + KC : k;
        for (int ii = 0; ii < m; ii += MC) {
            const int ie = ii + MC < m ? ii + MC : m;
            for (int j = 0; j < n4; j += 4)
                for (int i = ii; i < ie; i += 4)
                    rb4(ie - i < 4 ? ie - i : 4, n, k, A, B, C, i, j, pp, pe);
            for (int i = ii; i < ie; i++)            /* leftover columns */
                for (int j = n4; j < n; j++) {
                    double s = pp > 0 ? C[(size_t)i * n + j] : 0.0;
                    for (int p = pp; p < pe; p++)
                        s += A[(size_t)i * k + p] * B[(size_t)p * n + j];
                    C[(size_t)i * n + j] = s;
                }
        }
    }
}
