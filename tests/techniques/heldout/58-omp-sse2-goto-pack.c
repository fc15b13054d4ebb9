/* techniques: openmp simd cache_blocking register_blocking packing unrolling */
/* SSE2-only blocked DGEMM: 4x4 micro-tile in eight __m128d registers. The
 * threads first pack a KC x NC block of B together (omp for), then share the
 * MC row blocks; each packs its own A block. */
#include <immintrin.h>
#include <stdlib.h>
#include <omp.h>

#define MR 4
#define NR 4
#define MC 64
#define KC 128
#define NC 512

static void mk4x4(int kc, const double *a, const double *b, double *c, int ldc,
                  int h, int w, int load)
{
    __m128d c0l = _mm_setzero_pd(), c0h = _mm_setzero_pd();
    __m128d c1l = _mm_setzero_pd(), c1h = _mm_setzero_pd();
    __m128d c2l = _mm_setzero_pd(), c2h = _mm_setzero_pd();
    __m128d c3l = _mm_setzero_pd(), c3h = _mm_setzero_pd();
    for (int p = 0; p < kc; p++) {
        const __m128d bl = _mm_loadu_pd(b + 4 * p), bh = _mm_loadu_pd(b + 4 * p + 2);
        __m128d x = _mm_set1_pd(a[4 * p + 0]);
        c0l = _mm_add_pd(c0l, _mm_mul_pd(x, bl)); c0h = _mm_add_pd(c0h, _mm_mul_pd(x, bh));
        x = _mm_set1_pd(a[4 * p + 1]);
        c1l = _mm_add_pd(c1l, _mm_mul_pd(x, bl)); c1h = _mm_add_pd(c1h, _mm_mul_pd(x, bh));
        x = _mm_set1_pd(a[4 * p + 2]);
        c2l = _mm_add_pd(c2l, _mm_mul_pd(x, bl)); c2h = _mm_add_pd(c2h, _mm_mul_pd(x, bh));
        x = _mm_set1_pd(a[4 * p + 3]);
        c3l = _mm_add_pd(c3l, _mm_mul_pd(x, bl)); c3h = _mm_add_pd(c3h, _mm_mul_pd(x, bh));
    }
    double t[16];
    _mm_storeu_pd(t + 0, c0l);  _mm_storeu_pd(t + 2, c0h);
    _mm_storeu_pd(t + 4, c1l);  _mm_storeu_pd(t + 6, c1h);
    _mm_storeu_pd(t + 8, c2l);  _mm_storeu_pd(t + 10, c2h);
    _mm_storeu_pd(t + 12, c3l); _mm_storeu_pd(t + 14, c3h);
    for (int r = 0; r < h; r++)
        for (int q = 0; q < w; q++)
            c[(long)r * ldc + q] = (load ? c[(long)r * ldc + q] : 0.0) + t[4 * r + q];
}

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    int T = omp_get_max_threads();
    double *Bc = malloc(sizeof(double) * KC * NC);
    double *Ac = malloc(sizeof(double) * (size_t)MC * KC * T);
    if (!Bc || !Ac) {
        free(Bc); free(Ac);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) s += A[(long)i * k + p] * B[(long)p * n + j];
                C[(long)i * n + j] = s;
            }
        return;
    }
#pragma omp parallel
    {
        double *Amine = Ac + (size_t)MC * KC * omp_get_thread_num();
        for (int jc = 0; jc < n; jc += NC) {
            const int nc = n - jc < NC ? n - jc : NC;
            for (int pc = 0; pc < k; pc += KC) {
                const int kc = k - pc < KC ? k - pc : KC;
#pragma omp for
                for (int jr = 0; jr < nc; jr += NR)
                    for (int p = 0; p < kc; p++)
                        for (int q = 0; q < NR; q++)
                            Bc[jr * kc + 4 * p + q] =
                                jr + q < nc ? B[(long)(pc + p) * n + jc + jr + q] : 0.0;
#pragma omp for schedule(dynamic)
                for (int ic = 0; ic < m; ic += MC) {
                    const int mc = m - ic < MC ? m - ic : MC;
                    for (int ir = 0; ir < mc; ir += MR)
                        for (int p = 0; p < kc; p++)
                            for (int r = 0; r < MR; r++)
                                Amine[ir * kc + 4 * p + r] =
                                    ir + r < mc ? A[(long)(ic + ir + r) * k + pc + p] : 0.0;
                    for (int jr = 0; jr < nc; jr += NR)
                        for (int ir = 0; ir < mc; ir += MR)
                            mk4x4(kc, Amine + ir * kc, Bc + jr * kc,
                                  C + (long)(ic + ir) * n + jc + jr, n,
                                  mc - ir < MR ? mc - ir : MR, nc - jr < NR ? nc - jr : NR, pc > 0);
                }
            }
        }
    }
    free(Ac);
    free(Bc);
}
