/* techniques: openmp loop_reorder */
#include <string.h>

void dgemm(int m, int n, int k, const double *restrict A, const double *restrict B,
           double *restrict C)
{
    #pragma omp parallel for
    for (int i = 0; i < m; i++) {
        double *restrict ci = C + (size_t)i * n;
        memset(ci, 0, (size_t)n * sizeof(double));
        for (int p = 0; p < k; p++) {
            const double aip = A[(size_t)i * k + p];
            const double *restrict bp = B + (size_t)p * n;
            for (int j = 0; j < n; j++)
                ci[j] += aip * bp[j];
        }
    }
}
