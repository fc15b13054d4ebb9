/* techniques: cache_blocking loop_reorder */
#include <omp.h>
#include <string.h>

#define KB 256
#define JB 512

/* The block size is picked from the thread count, but the kernel itself runs
 * on the calling thread only. */
void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    int threads = omp_get_max_threads();
    int ib = threads > 4 ? 32 : 64;

    memset(C, 0, sizeof(double) * (size_t)m * n);
    for (int i0 = 0; i0 < m; i0 += ib) {
        int i1 = i0 + ib < m ? i0 + ib : m;
        for (int p0 = 0; p0 < k; p0 += KB) {
            int p1 = p0 + KB < k ? p0 + KB : k;
            for (int j0 = 0; j0 < n; j0 += JB) {
                int j1 = j0 + JB < n ? j0 + JB : n;
                for (int i = i0; i < i1; i++)
                    for (int p = p0; p < p1; p++) {
                        double a = A[(long)i * k + p];
                        for (int j = j0; j < j1; j++)
                            C[(long)i * n + j] += a * B[(long)p * n + j];
                    }
            }
        }
    }
}
