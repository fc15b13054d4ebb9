/* techniques: openmp cache_blocking packing unrolling prefetch loop_reorder */
/* A KB x NB block of B is copied into a static buffer, then the threads
 * share the rows of C and run i-k-j over the packed block. */
#include <string.h>

#define KB 128
#define NB 256

static double bblk[KB * NB] __attribute__((aligned(64)));

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    memset(C, 0, sizeof(double) * (size_t)m * n);
    for (int kk = 0; kk < k; kk += KB) {
        const int kb = k - kk < KB ? k - kk : KB;
        for (int jj = 0; jj < n; jj += NB) {
            const int nb = n - jj < NB ? n - jj : NB;
            for (int p = 0; p < kb; p++)
                memcpy(bblk + p * nb, B + (size_t)(kk + p) * n + jj, sizeof(double) * nb);
#pragma omp parallel for schedule(static)
            for (int i = 0; i < m; i++) {
                double *c = C + (size_t)i * n + jj;
                const double *a = A + (size_t)i * k + kk;
                if (i + 1 < m)
                    __builtin_prefetch(a + k);
                for (int p = 0; p < kb; p++) {
                    const double ap = a[p];
                    const double *b = bblk + p * nb;
#pragma GCC unroll 4
                    for (int j = 0; j < nb; j++)
                        c[j] += ap * b[j];
                }
            }
        }
    }
}
