/* techniques: unrolling loop_reorder */
/* Rows i and i+1 share every row of B (the i loop is unrolled by 2), but C is
   updated in memory inside the j loop: no accumulators live across k. */
#include <string.h>

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    memset(C, 0, (size_t)m * n * sizeof(double));
    int i;
    for (i = 0; i + 1 < m; i += 2) {
        double *c0 = C + (size_t)i * n, *c1 = c0 + n;
        for (int p = 0; p < k; p++) {
            const double x0 = A[(size_t)i * k + p], x1 = A[(size_t)(i + 1) * k + p];
            const double *b = B + (size_t)p * n;
            for (int j = 0; j < n; j++) {
                c0[j] += x0 * b[j];
                c1[j] += x1 * b[j];
            }
        }
    }
    if (i < m) {
        double *c = C + (size_t)i * n;
        for (int p = 0; p < k; p++) {
            const double x = A[(size_t)i * k + p];
            for (int j = 0; j < n; j++) c[j] += x * B[(size_t)p * n + j];
        }
    }
}
