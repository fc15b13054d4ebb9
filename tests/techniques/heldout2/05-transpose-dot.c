/* techniques: packing */
#include <stdlib.h>

/*
 * DGEMM with B transposed up front so that the inner product reads both
 * operands with unit stride.
 */
static void naive_fallback(int m, int n, int k, const double *A, const double *B, double *C)
{
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) {
            double s = 0.0;
            for (int p = 0; p < k; p++)
                s += A[(long)i * k + p] * B[(long)p * n + j];
            C[(long)i * n + j] = s;
        }
}

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    double *Bt = (double *)malloc((size_t)n * (size_t)k * sizeof(double));
    if (!Bt) {
        naive_fallback(m, n, k, A, B, C);
        return;
    }
    for (int p = 0; p < k; p++)
        for (int j = 0; j < n; j++)
            Bt[(long)j * k + p] = B[(long)p * n + j];

    for (int i = 0; i < m; i++) {
        const double *a = A + (long)i * k;
        for (int j = 0; j < n; j++) {
            const double *b = Bt + (long)j * k;
            double s = 0.0;
            for (int p = 0; p < k; p++)
                s += a[p] * b[p];
            C[(long)i * n + j] = s;
        }
    }
    free(Bt);
}
