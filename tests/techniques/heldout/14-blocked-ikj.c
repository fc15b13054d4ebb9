/* techniques: cache_blocking loop_reorder */
#include <string.h>
#define MB 64
#define NB 256
#define KB 128
#define MIN(x, y) ((x) < (y) ? (x) : (y))

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    memset(C, 0, (size_t)m * n * sizeof *C);
    for (int i0 = 0; i0 < m; i0 += MB)
        for (int p0 = 0; p0 < k; p0 += KB)
            for (int j0 = 0; j0 < n; j0 += NB) {
                const int i1 = MIN(i0 + MB, m), p1 = MIN(p0 + KB, k), j1 = MIN(j0 + NB, n);
                for (int i = i0; i < i1; i++)
                    for (int p = p0; p < p1; p++) {
                        const double a = A[(size_t)i * k + p];
                        for (int j = j0; j < j1; j++)
                            C[(size_t)i * n + j] += a * B[(size_t)p * n + j];
                    }
            }
}
