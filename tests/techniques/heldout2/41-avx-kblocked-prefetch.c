/* techniques: simd cache_blocking register_blocking unrolling prefetch */
#include <immintrin.h>
#include <string.h>

#define KBLK 128
#define min_(a, b) ((a) < (b) ? (a) : (b))

/* C[i:i+2, j:j+8] += A[i:i+2, k0:k1] * B[k0:k1, j:j+8] */
static inline void kernel_2x8(const double *A, const double *B, double *C,
                              int n, int k, int i, int j, int k0, int k1)
{
    double *c0 = C + (size_t)i * n + j;
    double *c1 = c0 + n;
    __m256d r00 = _mm256_loadu_pd(c0), r01 = _mm256_loadu_pd(c0 + 4);
    __m256d r10 = _mm256_loadu_pd(c1), r11 = _mm256_loadu_pd(c1 + 4);
    const double *a0 = A + (size_t)i * k;
    const double *a1 = a0 + k;
    for (int p = k0; p < k1; p++) {
        const double *b = B + (size_t)p * n + j;
        __builtin_prefetch(b + 4 * (size_t)n);
        __m256d bv0 = _mm256_loadu_pd(b), bv1 = _mm256_loadu_pd(b + 4);
        __m256d av0 = _mm256_set1_pd(a0[p]), av1 = _mm256_set1_pd(a1[p]);
        r00 = _mm256_fmadd_pd(av0, bv0, r00);
        r01 = _mm256_fmadd_pd(av0, bv1, r01);
        r10 = _mm256_fmadd_pd(av1, bv0, r10);
        r11 = _mm256_fmadd_pd(av1, bv1, r11);
    }
    _mm256_storeu_pd(c0, r00); _mm256_storeu_pd(c0 + 4, r01);
    _mm256_storeu_pd(c1, r10); _mm256_storeu_pd(c1 + 4, r11);
}

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    memset(C, 0, (size_t)m * n * sizeof(double));
    const int m2 = m & ~1, n8 = n & ~7;

    for (int k0 = 0; k0 < k; k0 += KBLK) {
        const int k1 = min_(k0 + KBLK, k);
        for (int i = 0; i < m2; i += 2)
            for (int j = 0; j < n8; j += 8)
                kernel_2x8(A, B, C, n, k, i, j, k0, k1);
        /* leftovers: plain dot products over this k block */
        for (int i = 0; i < m; i++)
            for (int j = (i < m2 ? n8 : 0); j < n; j++) {
                double s = C[(size_t)i * n + j];
                for (int p = k0; p < k1; p++)
                    s += A[(size_t)i * k + p] * B[(size_t)p * n + j];
                C[(size_t)i * n + j] = s;
            }
    }
}
