/* techniques: openmp loop_reorder */
#include <omp.h>
#include <string.h>

/* Manual static partition of the rows of C among OpenMP threads. */
void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
#pragma omp parallel
    {
        int tid = omp_get_thread_num();
        int nth = omp_get_num_threads();
        int chunk = (m + nth - 1) / nth;
        int row_begin = tid * chunk;
        int row_end = row_begin + chunk;
        if (row_end > m)
            row_end = m;

        for (int i = row_begin; i < row_end; i++) {
            double *c = C + (size_t)i * n;
            memset(c, 0, (size_t)n * sizeof(double));
            const double *a = A + (size_t)i * k;
            for (int p = 0; p < k; p++) {
                const double ap = a[p];
                const double *b = B + (size_t)p * n;
                for (int j = 0; j < n; j++)
                    c[j] += ap * b[j];
            }
        }
    }
}
