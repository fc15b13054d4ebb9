/* techniques: openmp simd cache_blocking register_blocking packing unrolling prefetch */
#include <immintrin.h>
#include <stdlib.h>
#include <string.h>
#include <omp.h>

/* GotoBLAS-style DGEMM: NC/KC/MC blocking, packed panels, 4x8 AVX2 micro-kernel. */
#define MR 4
#define NR 8
#define KC 256
#define MC 128
#define NC 2048

static inline int imin(int a, int b) { return a < b ? a : b; }

/* pack a kc x nc block of B into NR-wide column panels, zero padded */
static void pack_B(int kc, int nc, const double *B, int ldb, double *Bp)
{
    for (int j = 0; j < nc; j += NR) {
        int w = imin(NR, nc - j);
        for (int p = 0; p < kc; p++) {
            const double *src = B + (long)p * ldb + j;
            double *dst = Bp + (long)j * kc + (long)p * NR;
            int c = 0;
            for (; c < w; c++) dst[c] = src[c];
            for (; c < NR; c++) dst[c] = 0.0;
        }
    }
}

/* pack an mc x kc block of A into MR-tall row panels, zero padded */
static void pack_A(int mc, int kc, const double *A, int lda, double *Ap)
{
    for (int i = 0; i < mc; i += MR) {
        int h = imin(MR, mc - i);
        for (int p = 0; p < kc; p++) {
            double *dst = Ap + (long)i * kc + (long)p * MR;
            int r = 0;
            for (; r < h; r++) dst[r] = A[(long)(i + r) * lda + p];
            for (; r < MR; r++) dst[r] = 0.0;
        }
    }
}

static inline void micro_kernel(int kc, const double *a, const double *b, double *tile)
{
    __m256d c0a = _mm256_setzero_pd(), c0b = _mm256_setzero_pd();
    __m256d c1a = _mm256_setzero_pd(), c1b = _mm256_setzero_pd();
    __m256d c2a = _mm256_setzero_pd(), c2b = _mm256_setzero_pd();
    __m256d c3a = _mm256_setzero_pd(), c3b = _mm256_setzero_pd();

    for (int p = 0; p < kc; p++) {
        _mm_prefetch((const char *)(b + 8 * NR), _MM_HINT_T0);
        __m256d b0 = _mm256_load_pd(b);
        __m256d b1 = _mm256_load_pd(b + 4);
        __m256d a0 = _mm256_broadcast_sd(a + 0);
        __m256d a1 = _mm256_broadcast_sd(a + 1);
        __m256d a2 = _mm256_broadcast_sd(a + 2);
        __m256d a3 = _mm256_broadcast_sd(a + 3);
        c0a = _mm256_fmadd_pd(a0, b0, c0a); c0b = _mm256_fmadd_pd(a0, b1, c0b);
        c1a = _mm256_fmadd_pd(a1, b0, c1a); c1b = _mm256_fmadd_pd(a1, b1, c1b);
        c2a = _mm256_fmadd_pd(a2, b0, c2a); c2b = _mm256_fmadd_pd(a2, b1, c2b);
        c3a = _mm256_fmadd_pd(a3, b0, c3a); c3b = _mm256_fmadd_pd(a3, b1, c3b);
        a += MR;
        b += NR;
    }
    _mm256_storeu_pd(tile + 0,  c0a); _mm256_storeu_pd(tile + 4,  c0b);
    _mm256_storeu_pd(tile + 8,  c1a); _mm256_storeu_pd(tile + 12, c1b);
    _mm256_storeu_pd(tile + 16, c2a); _mm256_storeu_pd(tile + 20, c2b);
    _mm256_storeu_pd(tile + 24, c3a); _mm256_storeu_pd(tile + 28, c3b);
}

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    memset(C, 0, (size_t)m * n * sizeof(double));
    int ncmax = imin(NC, n);
    double *Bp = _mm_malloc(sizeof(double) * (size_t)KC * (ncmax + NR), 64);

    for (int jc = 0; jc < n; jc += NC) {
        int nc = imin(NC, n - jc);
        for (int pc = 0; pc < k; pc += KC) {
            int kc = imin(KC, k - pc);
            pack_B(kc, nc, B + (long)pc * n + jc, n, Bp);

            #pragma omp parallel for schedule(dynamic)
            for (int ic = 0; ic < m; ic += MC) {
                int mc = imin(MC, m - ic);
                double *Ap = _mm_malloc(sizeof(double) * (size_t)KC * (MC + MR), 64);
                double tile[MR * NR];
                pack_A(mc, kc, A + (long)ic * k + pc, k, Ap);
                for (int jr = 0; jr < nc; jr += NR) {
                    int w = imin(NR, nc - jr);
                    for (int ir = 0; ir < mc; ir += MR) {
                        int h = imin(MR, mc - ir);
                        micro_kernel(kc, Ap + (long)ir * kc, Bp + (long)jr * kc, tile);
                        double *c = C + (long)(ic + ir) * n + jc + jr;
                        for (int r = 0; r < h; r++)
                            for (int q = 0; q < w; q++)
                                c[(long)r * n + q] += tile[r * NR + q];
                    }
                }
                _mm_free(Ap);
            }
        }
    }
    _mm_free(Bp);
}
