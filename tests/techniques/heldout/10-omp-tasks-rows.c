/* techniques: openmp loop_reorder */
#include <stddef.h>

static void row_update(int n, int k, const double *a, const double *B, double *c)
{
    for (int j = 0; j < n; j++) c[j] = 0.0;
    for (int p = 0; p < k; p++) {
        const double s = a[p];
        const double *b = B + (size_t)p * n;
        for (int j = 0; j < n; j++) c[j] += s * b[j];
    }
}

/* one OpenMP task per row of C, created by a single thread */
void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
#pragma omp parallel
#pragma omp single
    {
        for (int i = 0; i < m; i++) {
#pragma omp task firstprivate(i)
            row_update(n, k, A + (size_t)i * k, B, C + (size_t)i * n);
        }
#pragma omp taskwait
    }
}
