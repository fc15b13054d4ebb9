/* techniques: openmp */
#include <omp.h>

// Parallel DGEMM: each (i, j) output element is an independent dot product,
// so we distribute the two outer loops over all threads with collapse(2).
void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    #pragma omp parallel for collapse(2) schedule(static)
    for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
            double sum = 0.0;
            for (int l = 0; l < k; l++) {
                sum += A[(long)i * k + l] * B[(long)l * n + j];
            }
            C[(long)i * n + j] = sum;
        }
    }
}
