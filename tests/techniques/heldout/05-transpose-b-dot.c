/* techniques: packing */
#include <stdlib.h>

/* Transpose B once so that both operands of every dot product are contiguous. */
void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    double *Bt = (double *)malloc((size_t)n * k * sizeof(double));
    if (Bt == NULL) {               /* out of memory: plain dot products on B */
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) s += A[i*k+p] * B[p*n+j];
                C[i*n+j] = s;
            }
        return;
    }
    for (int p = 0; p < k; p++)
        for (int j = 0; j < n; j++)
            Bt[j * k + p] = B[p * n + j];

    for (int i = 0; i < m; i++) {
        const double *ai = A + i * k;
        for (int j = 0; j < n; j++) {
            const double *bj = Bt + j * k;
            double s = 0.0;
            for (int p = 0; p < k; p++)
                s += ai[p] * bj[p];
            C[i * n + j] = s;
        }
    }
    free(Bt);
}
