/* techniques: openmp cache_blocking loop_reorder */
#include <omp.h>

#ifndef TILE
#define TILE 64
#endif
#define MIN(x, y) (((x) < (y)) ? (x) : (y))

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    // Each thread owns whole (ii, jj) tiles of C, so no races on C.
    #pragma omp parallel for collapse(2) schedule(dynamic)
    for (int ii = 0; ii < m; ii += TILE) {
        for (int jj = 0; jj < n; jj += TILE) {
            const int i_max = MIN(ii + TILE, m);
            const int j_max = MIN(jj + TILE, n);
            for (int i = ii; i < i_max; i++)
                for (int j = jj; j < j_max; j++)
                    C[(long)i * n + j] = 0.0;
            for (int kk = 0; kk < k; kk += TILE) {
                const int k_max = MIN(kk + TILE, k);
                for (int i = ii; i < i_max; i++) {
                    for (int p = kk; p < k_max; p++) {
                        const double a_ip = A[(long)i * k + p];
                        for (int j = jj; j < j_max; j++)
                            C[(long)i * n + j] += a_ip * B[(long)p * n + j];
                    }
                }
            }
        }
    }
}
