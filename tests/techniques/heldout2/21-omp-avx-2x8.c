/* techniques: openmp simd register_blocking unrolling */
#include <immintrin.h>
#include <omp.h>

static inline double dotp(const double *a, const double *b, int k, int ldb)
{
    double s = 0.0;
    for (int p = 0; p < k; ++p)
        s += a[p] * b[(long)p * ldb];
    return s;
}

/* 2x8 block of C in four ymm registers */
static inline void kern2x8(int k, int ldb, const double *a0, const double *a1,
                           const double *b, double *c0, double *c1)
{
    __m256d acc00 = _mm256_setzero_pd(), acc01 = _mm256_setzero_pd();
    __m256d acc10 = _mm256_setzero_pd(), acc11 = _mm256_setzero_pd();
    for (int p = 0; p < k; ++p) {
        const double *bp = b + (long)p * ldb;
        __m256d bl = _mm256_loadu_pd(bp);
        __m256d bh = _mm256_loadu_pd(bp + 4);
        __m256d x0 = _mm256_set1_pd(a0[p]);
        __m256d x1 = _mm256_set1_pd(a1[p]);
        acc00 = _mm256_fmadd_pd(x0, bl, acc00);
        acc01 = _mm256_fmadd_pd(x0, bh, acc01);
        acc10 = _mm256_fmadd_pd(x1, bl, acc10);
        acc11 = _mm256_fmadd_pd(x1, bh, acc11);
    }
    _mm256_storeu_pd(c0, acc00);
    _mm256_storeu_pd(c0 + 4, acc01);
    _mm256_storeu_pd(c1, acc10);
    _mm256_storeu_pd(c1 + 4, acc11);
}

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    const int pairs = m / 2;
    const int n8 = n - n % 8;

    #pragma omp parallel for schedule(static)
    for (int q = 0; q < pairs; ++q) {
        const int i = 2 * q;
        const double *a0 = A + (long)i * k, *a1 = a0 + k;
        double *c0 = C + (long)i * n, *c1 = c0 + n;
        for (int j = 0; j < n8; j += 8)
            kern2x8(k, n, a0, a1, B + j, c0 + j, c1 + j);
        for (int j = n8; j < n; ++j) {
            c0[j] = dotp(a0, B + j, k, n);
            c1[j] = dotp(a1, B + j, k, n);
        }
    }
    if (m & 1) {
        const int i = m - 1;
        for (int j = 0; j < n; ++j)
            C[(long)i * n + j] = dotp(A + (long)i * k, B + j, k, n);
    }
}
