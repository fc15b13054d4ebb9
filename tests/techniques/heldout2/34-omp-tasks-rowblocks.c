/* techniques: openmp cache_blocking loop_reorder */
#include <omp.h>

#define ROWS_PER_TASK 32

static void row_block(int i0, int i1, int n, int k, const double *A, const double *B, double *C)
{
    for (int i = i0; i < i1; i++) {
        double *c = C + (long)i * n;
        for (int j = 0; j < n; j++)
            c[j] = 0.0;
        for (int p = 0; p < k; p++) {
            const double a = A[(long)i * k + p];
            const double *b = B + (long)p * n;
            for (int j = 0; j < n; j++)
                c[j] += a * b[j];
        }
    }
}

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    #pragma omp parallel
    #pragma omp single
    {
        for (int ii = 0; ii < m; ii += ROWS_PER_TASK) {
            int iend = ii + ROWS_PER_TASK < m ? ii + ROWS_PER_TASK : m;
            #pragma omp task firstprivate(ii, iend)
            row_block(ii, iend, n, k, A, B, C);
        }
        #pragma omp taskwait
    }
}
