/* techniques: simd loop_reorder */
#include <string.h>

/* Single-threaded i-k-j DGEMM; the inner loop is explicitly vectorized
 * with the OpenMP simd directive (no threading). */
void dgemm(int m, int n, int k, const double *restrict A,
           const double *restrict B, double *restrict C)
{
    for (int i = 0; i < m; ++i) {
        double *ci = C + (long)i * n;
        memset(ci, 0, sizeof(*ci) * (size_t)n);
        for (int p = 0; p < k; ++p) {
            const double aip = A[(long)i * k + p];
            const double *bp = B + (long)p * n;
            #pragma omp simd
            for (int j = 0; j < n; ++j)
                ci[j] += aip * bp[j];
        }
    }
}
