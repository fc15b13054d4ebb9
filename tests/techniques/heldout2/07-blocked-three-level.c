/* techniques: cache_blocking loop_reorder */
#include <string.h>

#define BLOCK_M 64
#define BLOCK_N 256
#define BLOCK_K 128
#define min(a, b) ((a) < (b) ? (a) : (b))

/* Cache-blocked DGEMM: all three loops are tiled so that the working set
 * of each (ii, kk, jj) block stays in L1/L2. */
void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    memset(C, 0, (size_t)m * n * sizeof(double));

    for (int ii = 0; ii < m; ii += BLOCK_M) {
        int iend = min(ii + BLOCK_M, m);
        for (int kk = 0; kk < k; kk += BLOCK_K) {
            int kend = min(kk + BLOCK_K, k);
            for (int jj = 0; jj < n; jj += BLOCK_N) {
                int jend = min(jj + BLOCK_N, n);
                for (int i = ii; i < iend; i++) {
                    for (int p = kk; p < kend; p++) {
                        double a = A[(long)i * k + p];
                        const double *brow = B + (long)p * n;
                        double *crow = C + (long)i * n;
                        for (int j = jj; j < jend; j++)
                            crow[j] += a * brow[j];
                    }
                }
            }
        }
    }
}
