/* techniques: packing */
/* Column j of B is gathered into a contiguous buffer once, then reused for
   every row of A. */
#include <stdlib.h>

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    double *col = malloc(sizeof(double) * (size_t)k);
    if (!col) {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double s = 0.0;
                for (int p = 0; p < k; p++) s += A[(size_t)i * k + p] * B[(size_t)p * n + j];
                C[(size_t)i * n + j] = s;
            }
        return;
    }
    for (int j = 0; j < n; j++) {
        for (int p = 0; p < k; p++)
            col[p] = B[(size_t)p * n + j];
        for (int i = 0; i < m; i++) {
            const double *a = A + (size_t)i * k;
            double s = 0.0;
            for (int p = 0; p < k; p++)
                s += a[p] * col[p];
            C[(size_t)i * n + j] = s;
        }
    }
    free(col);
}
