/* techniques: none */
/* j-k-i order, the column-major habit carried over from Fortran: the inner
   loop runs down a column of C and of A (stride n and k), not along j. */
void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    int i, j, p;
    for (j = 0; j < n; j++) {
        for (i = 0; i < m; i++) C[i*n + j] = 0.0;
        for (p = 0; p < k; p++) {
            double bpj = B[p*n + j];
            for (i = 0; i < m; i++) C[i*n + j] += A[i*k + p] * bpj;
        }
    }
}
