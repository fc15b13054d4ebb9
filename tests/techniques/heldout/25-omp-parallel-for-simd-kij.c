/* techniques: openmp simd loop_reorder */
/* k-i-j: for each p every thread updates its own rows of C with row p of B. */
void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    const long mn = (long)m * n;
    #pragma omp parallel for simd schedule(static)
    for (long t = 0; t < mn; t++)
        C[t] = 0.0;

    for (int p = 0; p < k; p++) {
        const double *bp = B + (long)p * n;
        #pragma omp parallel for schedule(static)
        for (int i = 0; i < m; i++) {
            const double aip = A[(long)i * k + p];
            double *ci = C + (long)i * n;
            for (int j = 0; j < n; j++)
                ci[j] += aip * bp[j];
        }
    }
}
