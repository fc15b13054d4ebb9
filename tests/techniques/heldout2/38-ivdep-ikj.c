/* techniques: loop_reorder */
void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    for (int i = 0; i < m; i++) {
        double *crow = &C[(long)i * n];
        for (int j = 0; j < n; j++)
            crow[j] = 0.0;
        for (int kk = 0; kk < k; kk++) {
            double aik = A[(long)i * k + kk];
            const double *brow = &B[(long)kk * n];
            /* no aliasing between crow and brow: let GCC vectorize freely */
#pragma GCC ivdep
            for (int j = 0; j < n; j++)
                crow[j] += aik * brow[j];
        }
    }
}
