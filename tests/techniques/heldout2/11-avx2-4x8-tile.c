/* techniques: simd register_blocking unrolling loop_reorder */
#include <immintrin.h>
#include <string.h>

/*
 * AVX2 + FMA DGEMM.
 * Micro-kernel: 4 rows x 8 columns of C held in 8 ymm accumulators.
 * Edges (rows or columns not divisible by the tile) use a scalar i-k-j loop.
 */
static inline void micro_4x8(int k, const double *A, int lda,
                             const double *B, int ldb, double *C, int ldc)
{
    __m256d c00 = _mm256_setzero_pd(), c01 = _mm256_setzero_pd();
    __m256d c10 = _mm256_setzero_pd(), c11 = _mm256_setzero_pd();
    __m256d c20 = _mm256_setzero_pd(), c21 = _mm256_setzero_pd();
    __m256d c30 = _mm256_setzero_pd(), c31 = _mm256_setzero_pd();

    for (int p = 0; p < k; p++) {
        __m256d b0 = _mm256_loadu_pd(B + (long)p * ldb);
        __m256d b1 = _mm256_loadu_pd(B + (long)p * ldb + 4);
        __m256d a;

        a = _mm256_broadcast_sd(A + p);
        c00 = _mm256_fmadd_pd(a, b0, c00);
        c01 = _mm256_fmadd_pd(a, b1, c01);
        a = _mm256_broadcast_sd(A + lda + p);
        c10 = _mm256_fmadd_pd(a, b0, c10);
        c11 = _mm256_fmadd_pd(a, b1, c11);
        a = _mm256_broadcast_sd(A + 2L * lda + p);
        c20 = _mm256_fmadd_pd(a, b0, c20);
        c21 = _mm256_fmadd_pd(a, b1, c21);
        a = _mm256_broadcast_sd(A + 3L * lda + p);
        c30 = _mm256_fmadd_pd(a, b0, c30);
        c31 = _mm256_fmadd_pd(a, b1, c31);
    }

    _mm256_storeu_pd(C, c00);
    _mm256_storeu_pd(C + 4, c01);
    _mm256_storeu_pd(C + ldc, c10);
    _mm256_storeu_pd(C + ldc + 4, c11);
    _mm256_storeu_pd(C + 2L * ldc, c20);
    _mm256_storeu_pd(C + 2L * ldc + 4, c21);
    _mm256_storeu_pd(C + 3L * ldc, c30);
    _mm256_storeu_pd(C + 3L * ldc + 4, c31);
}

/* rows [i0, i1) x cols [j0, j1), scalar */
static void edge(int i0, int i1, int j0, int j1, int n, int k,
                 const double *A, const double *B, double *C)
{
    for (int i = i0; i < i1; i++) {
        for (int j = j0; j < j1; j++)
            C[(long)i * n + j] = 0.0;
        for (int p = 0; p < k; p++) {
            double a = A[(long)i * k + p];
            for (int j = j0; j < j1; j++)
                C[(long)i * n + j] += a * B[(long)p * n + j];
        }
    }
}

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    int mb = m / 4 * 4;
    int nb = n / 8 * 8;

    for (int i = 0; i < mb; i += 4)
        for (int j = 0; j < nb; j += 8)
            micro_4x8(k, A + (long)i * k, k, B + j, n, C + (long)i * n + j, n);

    if (nb < n)
        edge(0, mb, nb, n, n, k, A, B, C);
    if (mb < m)
        edge(mb, m, 0, n, n, k, A, B, C);
}
