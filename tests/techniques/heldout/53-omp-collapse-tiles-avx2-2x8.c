/* techniques: openmp simd cache_blocking register_blocking unrolling */
#include <immintrin.h>

#define TILE 64

static double dot_col(const double *a, const double *b, int k, int n)
{
    double s = 0;
    for (int p = 0; p < k; ++p) s += a[p] * b[(long)p * n];
    return s;
}

void dgemm(int m, int n, int k, const double *lhs, const double *rhs, double *out)
{
    #pragma omp parallel for collapse(2) schedule(static)
    for (int it = 0; it < m; it += TILE) {
        for (int jt = 0; jt < n; jt += TILE) {
            const int iend = it + TILE < m ? it + TILE : m;
            const int jend = jt + TILE < n ? jt + TILE : n;
            for (int i = it; i < iend; i += 2) {
                const int two = i + 1 < iend;
                const double *a0 = lhs + (long)i * k;
                const double *a1 = two ? a0 + k : a0;   /* duplicate row when odd */
                int j = jt;
                for (; j + 8 <= jend; j += 8) {
                    __m256d u0 = _mm256_setzero_pd(), u1 = _mm256_setzero_pd();
                    __m256d v0 = _mm256_setzero_pd(), v1 = _mm256_setzero_pd();
                    const double *b = rhs + j;
                    for (int p = 0; p < k; ++p, b += n) {
                        __m256d lo = _mm256_loadu_pd(b), hi = _mm256_loadu_pd(b + 4);
                        __m256d x = _mm256_broadcast_sd(a0 + p), y = _mm256_broadcast_sd(a1 + p);
                        u0 = _mm256_fmadd_pd(x, lo, u0);
                        u1 = _mm256_fmadd_pd(x, hi, u1);
                        v0 = _mm256_fmadd_pd(y, lo, v0);
                        v1 = _mm256_fmadd_pd(y, hi, v1);
                    }
                    _mm256_storeu_pd(out + (long)i * n + j, u0);
                    _mm256_storeu_pd(out + (long)i * n + j + 4, u1);
                    if (two) {
                        _mm256_storeu_pd(out + (long)(i + 1) * n + j, v0);
                        _mm256_storeu_pd(out + (long)(i + 1) * n + j + 4, v1);
                    }
                }
                for (; j < jend; ++j) {
                    out[(long)i * n + j] = dot_col(a0, rhs + j, k, n);
                    if (two) out[(long)(i + 1) * n + j] = dot_col(a1, rhs + j, k, n);
                }
            }
        }
    }
}
