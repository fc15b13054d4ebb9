/* techniques: simd packing */
#include <immintrin.h>
#include <stdlib.h>

static double hsum256(__m256d v)
{
    __m128d lo = _mm256_castpd256_pd128(v);
    __m128d hi = _mm256_extractf128_pd(v, 1);
    lo = _mm_add_pd(lo, hi);
    __m128d sh = _mm_unpackhi_pd(lo, lo);
    return _mm_cvtsd_f64(_mm_add_sd(lo, sh));
}

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    double *bt = malloc(sizeof(double) * (size_t)k * n);
    if (!bt) {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double s = 0.0;
                for (int p = 0; p < k; p++) s += A[(size_t)i*k+p] * B[(size_t)p*n+j];
                C[(size_t)i*n+j] = s;
            }
        return;
    }
    for (int j = 0; j < n; j++)                  /* bt = B^T, n x k */
        for (int p = 0; p < k; p++)
            bt[(size_t)j * k + p] = B[(size_t)p * n + j];

    for (int i = 0; i < m; i++) {
        const double *a = A + (size_t)i * k;
        for (int j = 0; j < n; j++) {
            const double *b = bt + (size_t)j * k;
            __m256d acc = _mm256_setzero_pd();
            int p = 0;
            for (; p + 4 <= k; p += 4)
                acc = _mm256_fmadd_pd(_mm256_loadu_pd(a + p), _mm256_loadu_pd(b + p), acc);
            double s = hsum256(acc);
            for (; p < k; p++) s += a[p] * b[p];
            C[(size_t)i * n + j] = s;
        }
    }
    free(bt);
}
