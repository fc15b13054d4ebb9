/* techniques: openmp */
#include <omp.h>

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
#pragma omp parallel for schedule(static)
    for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
            double acc = 0.0;
            for (int l = 0; l < k; l++)
                acc += A[(long)i * k + l] * B[(long)l * n + j];
            C[(long)i * n + j] = acc;
        }
    }
}
