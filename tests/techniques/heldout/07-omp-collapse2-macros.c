/* techniques: openmp */
#include <stddef.h>
#define X_(r, c) X[(size_t)(r) * k + (c)]
#define Y_(r, c) Y[(size_t)(r) * n + (c)]
#define Z_(r, c) Z[(size_t)(r) * n + (c)]

void dgemm(int m, int n, int k, const double *X, const double *Y, double *Z)
{
    #pragma omp parallel for collapse(2) schedule(static)
    for (int r = 0; r < m; r++)
        for (int c = 0; c < n; c++) {
            double t = 0;
            for (int q = 0; q < k; q++) t += X_(r, q) * Y_(q, c);
            Z_(r, c) = t;
        }
}
