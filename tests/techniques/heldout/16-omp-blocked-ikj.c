/* techniques: openmp cache_blocking loop_reorder */
#include <string.h>
#define TILE_I 32
#define TILE_J 128
#define TILE_K 64

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
#pragma omp parallel for schedule(dynamic)
    for (int ii = 0; ii < m; ii += TILE_I) {
        int iend = ii + TILE_I < m ? ii + TILE_I : m;
        for (int i = ii; i < iend; i++)
            memset(&C[(size_t)i * n], 0, sizeof(double) * (size_t)n);
        for (int kk = 0; kk < k; kk += TILE_K) {
            int kend = kk + TILE_K < k ? kk + TILE_K : k;
            for (int jj = 0; jj < n; jj += TILE_J) {
                int jend = jj + TILE_J < n ? jj + TILE_J : n;
                for (int i = ii; i < iend; i++)
                    for (int p = kk; p < kend; p++) {
                        double a = A[(size_t)i * k + p];
                        for (int j = jj; j < jend; j++)
                            C[(size_t)i * n + j] += a * B[(size_t)p * n + j];
                    }
            }
        }
    }
}
