/* techniques: unrolling loop_reorder */
#include <string.h>

// DGEMM, i-k-j order; ask GCC to unroll the hot loop 8 times.
void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    for (int i = 0; i < m; i++) {
        double *restrict crow = C + (long)i * n;
        memset(crow, 0, n * sizeof(double));
        for (int l = 0; l < k; l++) {
            const double s = A[(long)i * k + l];
            const double *restrict brow = B + (long)l * n;
#pragma GCC unroll 8
            for (int j = 0; j < n; j++)
                crow[j] += s * brow[j];
        }
    }
}
