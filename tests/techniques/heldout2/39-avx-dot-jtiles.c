/* techniques: simd cache_blocking packing */
#include <immintrin.h>
#include <stdlib.h>

#define JT 64  /* columns of B^T per tile: JT rows of length k stay in L2 */

static inline double hsum256(__m256d v)
{
    __m128d lo = _mm256_castpd256_pd128(v);
    __m128d hi = _mm256_extractf128_pd(v, 1);
    lo = _mm_add_pd(lo, hi);
    return _mm_cvtsd_f64(_mm_add_sd(lo, _mm_unpackhi_pd(lo, lo)));
}

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    double *BT = malloc((size_t)n * k * sizeof *BT);
    for (int p = 0; p < k; p++)
        for (int j = 0; j < n; j++)
            BT[(size_t)j * k + p] = B[(size_t)p * n + j];

    for (int jt = 0; jt < n; jt += JT) {
        int jmax = jt + JT < n ? jt + JT : n;
        for (int i = 0; i < m; i++) {
            const double *a = A + (size_t)i * k;
            for (int j = jt; j < jmax; j++) {
                const double *b = BT + (size_t)j * k;
                __m256d vsum = _mm256_setzero_pd();
                int p = 0;
                for (; p + 4 <= k; p += 4)
                    vsum = _mm256_fmadd_pd(_mm256_loadu_pd(a + p), _mm256_loadu_pd(b + p), vsum);
                double s = hsum256(vsum);
                for (; p < k; p++)
                    s += a[p] * b[p];
                C[(size_t)i * n + j] = s;
            }
        }
    }
    free(BT);
}
