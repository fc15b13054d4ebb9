/* techniques: loop_reorder */
#include <string.h>

/*
 * Optimized DGEMM using i-k-j loop ordering.
 * The innermost loop streams through contiguous rows of B and C,
 * which lets the compiler auto-vectorize it.
 */
void dgemm(int m, int n, int k, const double *restrict A,
           const double *restrict B, double *restrict C)
{
    memset(C, 0, sizeof(double) * (size_t)m * (size_t)n);

    for (int i = 0; i < m; i++) {
        double *Ci = &C[(size_t)i * n];
        const double *Ai = &A[(size_t)i * k];
        for (int p = 0; p < k; p++) {
            const double aip = Ai[p];
            const double *Bp = &B[(size_t)p * n];
            for (int j = 0; j < n; j++) {
                Ci[j] += aip * Bp[j];
            }
        }
    }
}
