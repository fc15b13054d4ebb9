/* techniques: none */
#include <string.h>

/* j-k-i order (column-oriented axpy, as in Fortran DGEMM). */
void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    memset(C, 0, sizeof(double) * (size_t)m * n);
    for (int j = 0; j < n; j++)
        for (int p = 0; p < k; p++) {
            const double bpj = B[(long)p * n + j];
            for (int i = 0; i < m; i++)
                C[(long)i * n + j] += A[(long)i * k + p] * bpj;
        }
}
