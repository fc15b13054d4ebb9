/* techniques: openmp loop_reorder */
#include <omp.h>

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    #pragma omp parallel
    {
        #pragma omp for
        for (long idx = 0; idx < (long)m * n; ++idx)
            C[idx] = 0.0;

        /* rank-1 updates; rows of C are split among threads for each p */
        for (int p = 0; p < k; ++p) {
            const double *Bp = B + (long)p * n;
            #pragma omp for schedule(static) nowait
            for (int i = 0; i < m; ++i) {
                const double a = A[(long)i * k + p];
                double *Ci = C + (long)i * n;
                for (int j = 0; j < n; ++j)
                    Ci[j] += a * Bp[j];
            }
        }
    }
}
