/* techniques: loop_reorder */
/* Looks like manual partitioning by thread, but there is no parallel region:
   the "parts" run one after the other on the calling thread. */
#include <omp.h>
#include <string.h>

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    const int parts = omp_get_max_threads();
    const int me = omp_get_thread_num();        /* always 0 out here */
    for (int part = me; part < parts; part++) {
        const int lo = (int)((long)m * part / parts);
        const int hi = (int)((long)m * (part + 1) / parts);
        for (int i = lo; i < hi; i++) {
            double *c = C + (size_t)i * n;
            memset(c, 0, sizeof(double) * (size_t)n);
            for (int p = 0; p < k; p++) {
                const double a = A[(size_t)i * k + p];
                for (int j = 0; j < n; j++)
                    c[j] += a * B[(size_t)p * n + j];
            }
        }
    }
}
