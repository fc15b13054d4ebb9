/* techniques: openmp loop_reorder */
#include <stddef.h>
#include <omp.h>

#define A_(i, p) A[(size_t)(i) * (size_t)k + (size_t)(p)]
#define B_(p, j) B[(size_t)(p) * (size_t)n + (size_t)(j)]
#define C_(i, j) C[(size_t)(i) * (size_t)n + (size_t)(j)]

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    #pragma omp parallel for schedule(static)
    for (int i = 0; i < m; ++i) {
        for (int j = 0; j < n; ++j)
            C_(i, j) = 0.0;
        for (int p = 0; p < k; ++p) {
            double a = A_(i, p);
            for (int j = 0; j < n; ++j)
                C_(i, j) += a * B_(p, j);
        }
    }
}
