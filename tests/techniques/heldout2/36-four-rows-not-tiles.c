/* techniques: unrolling loop_reorder */
#include <string.h>

/* "Blocking" by 4 rows: each row of B loaded feeds four rows of C.
 * BLOCK is a row-group size, not a cache tile. */
#define BLOCK 4

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    memset(C, 0, sizeof(double) * (size_t)m * n);
    int i = 0;
    for (; i + BLOCK <= m; i += BLOCK) {
        double *c0 = C + (long)i * n, *c1 = c0 + n, *c2 = c1 + n, *c3 = c2 + n;
        const double *a0 = A + (long)i * k, *a1 = a0 + k, *a2 = a1 + k, *a3 = a2 + k;
        for (int p = 0; p < k; p++) {
            const double *b = B + (long)p * n;
            double x0 = a0[p], x1 = a1[p], x2 = a2[p], x3 = a3[p];
            for (int j = 0; j < n; j++) {
                double bj = b[j];
                c0[j] += x0 * bj;
                c1[j] += x1 * bj;
                c2[j] += x2 * bj;
                c3[j] += x3 * bj;
            }
        }
    }
    for (; i < m; i++) {
        double *c = C + (long)i * n;
        for (int p = 0; p < k; p++) {
            double x = A[(long)i * k + p];
            for (int j = 0; j < n; j++)
                c[j] += x * B[(long)p * n + j];
        }
    }
}
