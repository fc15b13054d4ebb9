/* techniques: loop_reorder */
/* An orphaned worksharing directive: dgemm is never called from inside a
   parallel region, so this `omp for` binds to a team of one thread and no
   thread is ever started (there is no `parallel` anywhere). */
#include <string.h>

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
#pragma omp for schedule(static)
    for (int i = 0; i < m; i++) {
        double *c = C + (size_t)i * n;
        memset(c, 0, (size_t)n * sizeof *c);
        for (int p = 0; p < k; p++) {
            const double a = A[(size_t)i * k + p];
            const double *b = B + (size_t)p * n;
            for (int j = 0; j < n; j++)
                c[j] += a * b[j];
        }
    }
}
