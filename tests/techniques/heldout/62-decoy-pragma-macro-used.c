/* techniques: openmp loop_reorder */
/* The OpenMP directive is hidden in a macro, and the macro is used. */
#include <string.h>

#define PARALLEL_ROWS _Pragma("omp parallel for schedule(static)")

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    PARALLEL_ROWS
    for (int i = 0; i < m; i++) {
        double *c = C + (size_t)i * n;
        memset(c, 0, sizeof(double) * (size_t)n);
        for (int p = 0; p < k; p++) {
            const double a = A[(size_t)i * k + p];
            const double *b = B + (size_t)p * n;
            for (int j = 0; j < n; j++)
                c[j] += a * b[j];
        }
    }
}
