/* techniques: openmp simd cache_blocking register_blocking packing unrolling prefetch */
/* GotoBLAS-style DGEMM: NC x KC blocks of B and MC x KC blocks of A are packed
 * into zero-padded micro-panels; a 4x8 AVX2 micro-kernel keeps the C tile in
 * eight ymm registers (written out statement by statement); OpenMP spreads the
 * MC row blocks over the threads, each with its own packed copy of A. */
#include <immintrin.h>
#include <stdlib.h>
#include <string.h>
#include <omp.h>

#define MR 4
#define NR 8
#define MC 128
#define KC 256
#define NC 2048

static void pack_B(int kc, int nc, const double *B, int ldb, double *dst)
{
    for (int j0 = 0; j0 < nc; j0 += NR) {
        const int w = nc - j0 < NR ? nc - j0 : NR;
        for (int p = 0; p < kc; p++) {
            const double *src = B + (size_t)p * ldb + j0;
            int c = 0;
            for (; c < w; c++) dst[c] = src[c];
            for (; c < NR; c++) dst[c] = 0.0;
            dst += NR;
        }
    }
}

static void pack_A(int mc, int kc, const double *A, int lda, double *dst)
{
    for (int i0 = 0; i0 < mc; i0 += MR) {
        const int h = mc - i0 < MR ? mc - i0 : MR;
        for (int p = 0; p < kc; p++) {
            int r = 0;
            for (; r < h; r++) dst[r] = A[(size_t)(i0 + r) * lda + p];
            for (; r < MR; r++) dst[r] = 0.0;
            dst += MR;
        }
    }
}

static void micro_4x8(int kc, const double *restrict a, const double *restrict b,
                      double *restrict c, int ldc, int h, int w, int accumulate)
{
    for (int r = 0; r < h; r++)
        __builtin_prefetch(c + (size_t)r * ldc, 1, 3);

    __m256d c00 = _mm256_setzero_pd(), c01 = _mm256_setzero_pd();
    __m256d c10 = _mm256_setzero_pd(), c11 = _mm256_setzero_pd();
    __m256d c20 = _mm256_setzero_pd(), c21 = _mm256_setzero_pd();
    __m256d c30 = _mm256_setzero_pd(), c31 = _mm256_setzero_pd();
    for (int p = 0; p < kc; p++) {
        const __m256d b0 = _mm256_loadu_pd(b), b1 = _mm256_loadu_pd(b + 4);
        __m256d av;
        av = _mm256_broadcast_sd(a + 0);
        c00 = _mm256_fmadd_pd(av, b0, c00); c01 = _mm256_fmadd_pd(av, b1, c01);
        av = _mm256_broadcast_sd(a + 1);
        c10 = _mm256_fmadd_pd(av, b0, c10); c11 = _mm256_fmadd_pd(av, b1, c11);
        av = _mm256_broadcast_sd(a + 2);
        c20 = _mm256_fmadd_pd(av, b0, c20); c21 = _mm256_fmadd_pd(av, b1, c21);
        av = _mm256_broadcast_sd(a + 3);
        c30 = _mm256_fmadd_pd(av, b0, c30); c31 = _mm256_fmadd_pd(av, b1, c31);
        a += MR;
        b += NR;
    }
    if (h == MR && w == NR) {
        double *c0 = c, *c1 = c + ldc, *c2 = c + 2 * (size_t)ldc, *c3 = c + 3 * (size_t)ldc;
        if (accumulate) {
            c00 = _mm256_add_pd(c00, _mm256_loadu_pd(c0)); c01 = _mm256_add_pd(c01, _mm256_loadu_pd(c0 + 4));
            c10 = _mm256_add_pd(c10, _mm256_loadu_pd(c1)); c11 = _mm256_add_pd(c11, _mm256_loadu_pd(c1 + 4));
            c20 = _mm256_add_pd(c20, _mm256_loadu_pd(c2)); c21 = _mm256_add_pd(c21, _mm256_loadu_pd(c2 + 4));
            c30 = _mm256_add_pd(c30, _mm256_loadu_pd(c3)); c31 = _mm256_add_pd(c31, _mm256_loadu_pd(c3 + 4));
        }
        _mm256_storeu_pd(c0, c00); _mm256_storeu_pd(c0 + 4, c01);
        _mm256_storeu_pd(c1, c10); _mm256_storeu_pd(c1 + 4, c11);
        _mm256_storeu_pd(c2, c20); _mm256_storeu_pd(c2 + 4, c21);
        _mm256_storeu_pd(c3, c30); _mm256_storeu_pd(c3 + 4, c31);
    } else {
        double t[MR * NR];
        _mm256_storeu_pd(t + 0, c00);  _mm256_storeu_pd(t + 4, c01);
        _mm256_storeu_pd(t + 8, c10);  _mm256_storeu_pd(t + 12, c11);
        _mm256_storeu_pd(t + 16, c20); _mm256_storeu_pd(t + 20, c21);
        _mm256_storeu_pd(t + 24, c30); _mm256_storeu_pd(t + 28, c31);
        for (int r = 0; r < h; r++)
            for (int q = 0; q < w; q++) {
                double *dst = c + (size_t)r * ldc + q;
                *dst = accumulate ? *dst + t[r * NR + q] : t[r * NR + q];
            }
    }
}

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    const int nthreads = omp_get_max_threads();
    double *Bp = aligned_alloc(64, sizeof(double) * KC * (NC + NR));
    double *Ap = aligned_alloc(64, sizeof(double) * (size_t)nthreads * MC * KC);
    if (!Bp || !Ap) {
        free(Bp);
        free(Ap);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double s = 0.0;
                for (int p = 0; p < k; p++) s += A[(size_t)i * k + p] * B[(size_t)p * n + j];
                C[(size_t)i * n + j] = s;
            }
        return;
    }
    for (int jc = 0; jc < n; jc += NC) {
        const int nc = n - jc < NC ? n - jc : NC;
        for (int pc = 0; pc < k; pc += KC) {
            const int kc = k - pc < KC ? k - pc : KC;
            pack_B(kc, nc, B + (size_t)pc * n + jc, n, Bp);
#pragma omp parallel for schedule(dynamic)
            for (int ic = 0; ic < m; ic += MC) {
                const int mc = m - ic < MC ? m - ic : MC;
                double *ap = Ap + (size_t)omp_get_thread_num() * MC * KC;
                pack_A(mc, kc, A + (size_t)ic * k + pc, k, ap);
                for (int jr = 0; jr < nc; jr += NR) {
                    const int w = nc - jr < NR ? nc - jr : NR;
                    for (int ir = 0; ir < mc; ir += MR) {
                        const int h = mc - ir < MR ? mc - ir : MR;
                        micro_4x8(kc, ap + (size_t)ir * kc, Bp + (size_t)jr * kc,
                                  C + (size_t)(ic + ir) * n + jc + jr, n, h, w, pc > 0);
                    }
                }
            }
        }
    }
    free(Ap);
    free(Bp);
}
