/* techniques: openmp simd cache_blocking register_blocking packing unrolling */
/* Every thread owns a contiguous range of columns of C (from its thread id),
 * packs the matching KC x NR panels of B and MC x KC block of A into private
 * buffers and runs a 6x4 AVX2 micro-kernel (six ymm accumulators, written
 * out). */
#include <immintrin.h>
#include <stdlib.h>
#include <omp.h>

#define MR 6
#define NR 4
#define MC 72
#define KC 256

static inline void ukr6x4(int kc, const double *a, const double *b, double *c, int ldc,
                          int h, int w, int beta)
{
    __m256d t0 = _mm256_setzero_pd(), t1 = _mm256_setzero_pd(), t2 = _mm256_setzero_pd();
    __m256d t3 = _mm256_setzero_pd(), t4 = _mm256_setzero_pd(), t5 = _mm256_setzero_pd();
    for (int p = 0; p < kc; ++p, a += MR, b += NR) {
        const __m256d bb = _mm256_loadu_pd(b);
        t0 = _mm256_fmadd_pd(_mm256_broadcast_sd(a + 0), bb, t0);
        t1 = _mm256_fmadd_pd(_mm256_broadcast_sd(a + 1), bb, t1);
        t2 = _mm256_fmadd_pd(_mm256_broadcast_sd(a + 2), bb, t2);
        t3 = _mm256_fmadd_pd(_mm256_broadcast_sd(a + 3), bb, t3);
        t4 = _mm256_fmadd_pd(_mm256_broadcast_sd(a + 4), bb, t4);
        t5 = _mm256_fmadd_pd(_mm256_broadcast_sd(a + 5), bb, t5);
    }
    double tile[MR][NR];
    _mm256_storeu_pd(tile[0], t0); _mm256_storeu_pd(tile[1], t1); _mm256_storeu_pd(tile[2], t2);
    _mm256_storeu_pd(tile[3], t3); _mm256_storeu_pd(tile[4], t4); _mm256_storeu_pd(tile[5], t5);
    for (int r = 0; r < h; ++r)
        for (int q = 0; q < w; ++q)
            c[(size_t)r * ldc + q] = beta ? c[(size_t)r * ldc + q] + tile[r][q] : tile[r][q];
}

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    const int panels = (n + NR - 1) / NR;
    const int T = omp_get_max_threads();
    const size_t bsz = (size_t)KC * NR * panels, asz = (size_t)MC * KC;
    double *mem = malloc(sizeof(double) * (bsz + asz * T));
    if (!mem) {
        for (int i = 0; i < m; ++i)
            for (int j = 0; j < n; ++j) {
                double s = 0.0;
                for (int p = 0; p < k; ++p) s += A[(size_t)i * k + p] * B[(size_t)p * n + j];
                C[(size_t)i * n + j] = s;
            }
        return;
    }
#pragma omp parallel
    {
        const int id = omp_get_thread_num(), nt = omp_get_num_threads();
        const int plo = (int)((long)panels * id / nt), phi = (int)((long)panels * (id + 1) / nt);
        double *bp = mem + (size_t)KC * NR * plo;       /* this thread's panels */
        double *ap = mem + bsz + asz * id;
        for (int pc = 0; pc < k; pc += KC) {
            const int kc = k - pc < KC ? k - pc : KC;
            for (int jp = plo; jp < phi; ++jp)
                for (int p = 0; p < kc; ++p)
                    for (int q = 0; q < NR; ++q) {
                        const int j = jp * NR + q;
                        bp[(size_t)(jp - plo) * kc * NR + (size_t)p * NR + q] =
                            j < n ? B[(size_t)(pc + p) * n + j] : 0.0;
                    }
            for (int ic = 0; ic < m; ic += MC) {
                const int mc = m - ic < MC ? m - ic : MC;
                for (int ir = 0; ir < mc; ir += MR)
                    for (int p = 0; p < kc; ++p)
                        for (int r = 0; r < MR; ++r)
                            ap[(size_t)ir * kc + (size_t)p * MR + r] =
                                ir + r < mc ? A[(size_t)(ic + ir + r) * k + pc + p] : 0.0;
                for (int jp = plo; jp < phi; ++jp) {
                    const int j0 = jp * NR, w = n - j0 < NR ? n - j0 : NR;
                    for (int ir = 0; ir < mc; ir += MR)
                        ukr6x4(kc, ap + (size_t)ir * kc, bp + (size_t)(jp - plo) * kc * NR,
                               C + (size_t)(ic + ir) * n + j0, n,
                               mc - ir < MR ? mc - ir : MR, w, pc > 0);
                }
            }
        }
    }
    free(mem);
}
