/* techniques: openmp simd cache_blocking register_blocking packing unrolling prefetch */
/* 8x8 AVX-512 micro-kernel (8 zmm accumulators written out one by one), with
 * an 8x4 AVX2 twin when __AVX512F__ is not defined (on the labelling machine it
 * is, so the AVX-512 path is compiled; the techniques are the same). B is
 * packed once per KC block by one thread (omp single); the MC row blocks are
 * split among the threads by thread id; each thread packs its own A block. */
#include <immintrin.h>
#include <stdlib.h>
#include <string.h>
#include <omp.h>

#define MR 8
#define MC 96
#define KC 192
#if defined(__AVX512F__)
#define NR 8
#else
#define NR 4
#endif

static void kern(int kc, const double *restrict a, const double *restrict b, double *restrict ct)
{
#if defined(__AVX512F__)
    __m512d c0 = _mm512_setzero_pd(), c1 = _mm512_setzero_pd(), c2 = _mm512_setzero_pd(),
            c3 = _mm512_setzero_pd(), c4 = _mm512_setzero_pd(), c5 = _mm512_setzero_pd(),
            c6 = _mm512_setzero_pd(), c7 = _mm512_setzero_pd();
    for (int p = 0; p < kc; p++) {
        _mm_prefetch((const char *)(b + 8 * NR), _MM_HINT_T0);
        const __m512d bv = _mm512_loadu_pd(b);
        c0 = _mm512_fmadd_pd(_mm512_set1_pd(a[0]), bv, c0);
        c1 = _mm512_fmadd_pd(_mm512_set1_pd(a[1]), bv, c1);
        c2 = _mm512_fmadd_pd(_mm512_set1_pd(a[2]), bv, c2);
        c3 = _mm512_fmadd_pd(_mm512_set1_pd(a[3]), bv, c3);
        c4 = _mm512_fmadd_pd(_mm512_set1_pd(a[4]), bv, c4);
        c5 = _mm512_fmadd_pd(_mm512_set1_pd(a[5]), bv, c5);
        c6 = _mm512_fmadd_pd(_mm512_set1_pd(a[6]), bv, c6);
        c7 = _mm512_fmadd_pd(_mm512_set1_pd(a[7]), bv, c7);
        a += MR;
        b += NR;
    }
    _mm512_storeu_pd(ct + 0 * NR, c0); _mm512_storeu_pd(ct + 1 * NR, c1);
    _mm512_storeu_pd(ct + 2 * NR, c2); _mm512_storeu_pd(ct + 3 * NR, c3);
    _mm512_storeu_pd(ct + 4 * NR, c4); _mm512_storeu_pd(ct + 5 * NR, c5);
    _mm512_storeu_pd(ct + 6 * NR, c6); _mm512_storeu_pd(ct + 7 * NR, c7);
#else
    __m256d c0 = _mm256_setzero_pd(), c1 = _mm256_setzero_pd(), c2 = _mm256_setzero_pd(),
            c3 = _mm256_setzero_pd(), c4 = _mm256_setzero_pd(), c5 = _mm256_setzero_pd(),
            c6 = _mm256_setzero_pd(), c7 = _mm256_setzero_pd();
    for (int p = 0; p < kc; p++) {
        _mm_prefetch((const char *)(b + 8 * NR), _MM_HINT_T0);
        const __m256d bv = _mm256_loadu_pd(b);
        c0 = _mm256_fmadd_pd(_mm256_set1_pd(a[0]), bv, c0);
        c1 = _mm256_fmadd_pd(_mm256_set1_pd(a[1]), bv, c1);
        c2 = _mm256_fmadd_pd(_mm256_set1_pd(a[2]), bv, c2);
        c3 = _mm256_fmadd_pd(_mm256_set1_pd(a[3]), bv, c3);
        c4 = _mm256_fmadd_pd(_mm256_set1_pd(a[4]), bv, c4);
        c5 = _mm256_fmadd_pd(_mm256_set1_pd(a[5]), bv, c5);
        c6 = _mm256_fmadd_pd(_mm256_set1_pd(a[6]), bv, c6);
        c7 = _mm256_fmadd_pd(_mm256_set1_pd(a[7]), bv, c7);
        a += MR;
        b += NR;
    }
    _mm256_storeu_pd(ct + 0 * NR, c0); _mm256_storeu_pd(ct + 1 * NR, c1);
    _mm256_storeu_pd(ct + 2 * NR, c2); _mm256_storeu_pd(ct + 3 * NR, c3);
    _mm256_storeu_pd(ct + 4 * NR, c4); _mm256_storeu_pd(ct + 5 * NR, c5);
    _mm256_storeu_pd(ct + 6 * NR, c6); _mm256_storeu_pd(ct + 7 * NR, c7);
#endif
}

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    const int npan = (n + NR - 1) / NR;
    const int nblk = (m + MC - 1) / MC;
    const int maxth = omp_get_max_threads();
    /* + 8*NR doubles of slack: the prefetch above reads ahead of the panel */
    double *bpk = malloc(sizeof(double) * ((size_t)npan * NR * KC + 8 * NR));
    double *apk = malloc(sizeof(double) * (size_t)MC * KC * maxth);
    if (!bpk || !apk) {
        free(bpk); free(apk);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double s = 0.0;
                for (int p = 0; p < k; p++) s += A[(size_t)i * k + p] * B[(size_t)p * n + j];
                C[(size_t)i * n + j] = s;
            }
        return;
    }

    #pragma omp parallel
    {
        const int tid = omp_get_thread_num(), nth = omp_get_num_threads();
        const int blo = tid * nblk / nth, bhi = (tid + 1) * nblk / nth;
        double *mine = apk + (size_t)tid * MC * KC;
        double ct[MR * NR];

        for (int pc = 0; pc < k; pc += KC) {
            const int kc = k - pc < KC ? k - pc : KC;
            #pragma omp single
            for (int jp = 0; jp < npan; jp++)
                for (int p = 0; p < kc; p++)
                    for (int q = 0; q < NR; q++) {
                        const int j = jp * NR + q;
                        bpk[((size_t)jp * kc + p) * NR + q] = j < n ? B[(size_t)(pc + p) * n + j] : 0.0;
                    }
            /* implicit barrier after single: bpk is ready */
            for (int blk = blo; blk < bhi; blk++) {
                const int ic = blk * MC, mc = m - ic < MC ? m - ic : MC;
                for (int ir = 0; ir < mc; ir += MR)
                    for (int p = 0; p < kc; p++)
                        for (int r = 0; r < MR; r++)
                            mine[((size_t)ir * kc) + (size_t)p * MR + r] =
                                ir + r < mc ? A[(size_t)(ic + ir + r) * k + pc + p] : 0.0;
                for (int jp = 0; jp < npan; jp++) {
                    const int j0 = jp * NR, w = n - j0 < NR ? n - j0 : NR;
                    for (int ir = 0; ir < mc; ir += MR) {
                        const int h = mc - ir < MR ? mc - ir : MR;
                        kern(kc, mine + (size_t)ir * kc, bpk + (size_t)jp * kc * NR, ct);
                        for (int r = 0; r < h; r++) {
                            double *crow = C + (size_t)(ic + ir + r) * n + j0;
                            for (int q = 0; q < w; q++)
                                crow[q] = (pc ? crow[q] : 0.0) + ct[r * NR + q];
                        }
                    }
                }
            }
            #pragma omp barrier
        }
    }
    free(apk);
    free(bpk);
}
