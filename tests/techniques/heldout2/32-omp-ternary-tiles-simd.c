/* techniques: openmp simd cache_blocking loop_reorder */
#include <string.h>
#include <omp.h>

void dgemm(int m, int n, int k, const double *restrict A, const double *restrict B,
           double *restrict C)
{
    const int bs_i = 32, bs_k = 128, bs_j = 512;

    #pragma omp parallel for schedule(static)
    for (int ib = 0; ib < m; ib += bs_i) {
        const int ie = (ib + bs_i > m) ? m : ib + bs_i;
        for (int i = ib; i < ie; ++i)
            memset(C + (size_t)i * n, 0, sizeof(double) * n);

        for (int kb = 0; kb < k; kb += bs_k) {
            const int ke = (kb + bs_k > k) ? k : kb + bs_k;
            for (int jb = 0; jb < n; jb += bs_j) {
                const int je = (jb + bs_j > n) ? n : jb + bs_j;
                for (int i = ib; i < ie; ++i) {
                    double *ci = C + (size_t)i * n;
                    for (int p = kb; p < ke; ++p) {
                        const double aip = A[(size_t)i * k + p];
                        const double *bp = B + (size_t)p * n;
                        #pragma omp simd
                        for (int j = jb; j < je; ++j)
                            ci[j] += aip * bp[j];
                    }
                }
            }
        }
    }
}
