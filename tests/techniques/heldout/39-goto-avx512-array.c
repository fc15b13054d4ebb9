/* techniques: openmp simd cache_blocking register_blocking packing */
/* Blocked and packed DGEMM. Micro-tile: MR rows x one vector of columns, the
 * accumulators an array indexed in loops. AVX-512 when available (it is on
 * the labelling machine: __AVX512F__ under -march=native), AVX2 otherwise;
 * the same techniques in both. Threads take whole NC-wide column blocks of C
 * and pack their own copies of A and B. */
#include <immintrin.h>
#include <stdlib.h>
#include <omp.h>

#if defined(__AVX512F__)
typedef __m512d vd;
#define NR 8
#define vzero() _mm512_setzero_pd()
#define vload(p) _mm512_loadu_pd(p)
#define vstore(p, x) _mm512_storeu_pd((p), (x))
#define vset1(s) _mm512_set1_pd(s)
#define vfma(a, b, c) _mm512_fmadd_pd((a), (b), (c))
#define vadd(a, b) _mm512_add_pd((a), (b))
#else
typedef __m256d vd;
#define NR 4
#define vzero() _mm256_setzero_pd()
#define vload(p) _mm256_loadu_pd(p)
#define vstore(p, x) _mm256_storeu_pd((p), (x))
#define vset1(s) _mm256_set1_pd(s)
#define vfma(a, b, c) _mm256_fmadd_pd((a), (b), (c))
#define vadd(a, b) _mm256_add_pd((a), (b))
#endif

#define MR 8
#define MC 64
#define KC 256
#define NC 256

static void kernel(int kc, const double *a, const double *b, double *c, int ldc,
                   int h, int w, int first)
{
    vd acc[MR];
    for (int r = 0; r < MR; r++)
        acc[r] = vzero();
    for (int p = 0; p < kc; p++) {
        const vd bv = vload(b + (size_t)p * NR);
        for (int r = 0; r < MR; r++)
            acc[r] = vfma(vset1(a[(size_t)p * MR + r]), bv, acc[r]);
    }
    if (h == MR && w == NR) {
        for (int r = 0; r < MR; r++) {
            double *cr = c + (size_t)r * ldc;
            vstore(cr, first ? acc[r] : vadd(acc[r], vload(cr)));
        }
        return;
    }
    double tmp[MR * NR];
    for (int r = 0; r < MR; r++)
        vstore(tmp + r * NR, acc[r]);
    for (int r = 0; r < h; r++)
        for (int q = 0; q < w; q++)
            c[(size_t)r * ldc + q] = (first ? 0.0 : c[(size_t)r * ldc + q]) + tmp[r * NR + q];
}

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    const int nt = omp_get_max_threads();
    const size_t per = (size_t)MC * KC + (size_t)KC * NC;
    double *work = malloc(sizeof(double) * per * (size_t)nt);
    if (!work) {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double s = 0.0;
                for (int p = 0; p < k; p++) s += A[(size_t)i * k + p] * B[(size_t)p * n + j];
                C[(size_t)i * n + j] = s;
            }
        return;
    }
#pragma omp parallel for schedule(dynamic, 1)
    for (int jc = 0; jc < n; jc += NC) {
        double *Ablk = work + per * (size_t)omp_get_thread_num();
        double *Bblk = Ablk + (size_t)MC * KC;
        const int nc = n - jc < NC ? n - jc : NC;
        for (int pc = 0; pc < k; pc += KC) {
            const int kc = k - pc < KC ? k - pc : KC;
            /* B[pc:pc+kc, jc:jc+nc] -> NR-wide panels, zero-padded */
            for (int jr = 0; jr < nc; jr += NR)
                for (int p = 0; p < kc; p++)
                    for (int q = 0; q < NR; q++)
                        Bblk[(size_t)jr * kc + (size_t)p * NR + q] =
                            jr + q < nc ? B[(size_t)(pc + p) * n + jc + jr + q] : 0.0;
            for (int ic = 0; ic < m; ic += MC) {
                const int mc = m - ic < MC ? m - ic : MC;
                /* A[ic:ic+mc, pc:pc+kc] -> MR-high panels, zero-padded */
                for (int ir = 0; ir < mc; ir += MR)
                    for (int p = 0; p < kc; p++)
                        for (int r = 0; r < MR; r++)
                            Ablk[(size_t)ir * kc + (size_t)p * MR + r] =
                                ir + r < mc ? A[(size_t)(ic + ir + r) * k + pc + p] : 0.0;
                for (int jr = 0; jr < nc; jr += NR)
                    for (int ir = 0; ir < mc; ir += MR)
                        kernel(kc, Ablk + (size_t)ir * kc, Bblk + (size_t)jr * kc,
                               C + (size_t)(ic + ir) * n + jc + jr, n,
                               mc - ir < MR ? mc - ir : MR, nc - jr < NR ? nc - jr : NR,
                               pc == 0);
            }
        }
    }
    free(work);
}
