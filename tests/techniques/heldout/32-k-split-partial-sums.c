/* techniques: unrolling */
/* The k loop is unrolled by 4 into four partial sums. They all belong to the
   same element C[i][j], so this is not a register block of C. */
void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    for (int i = 0; i < m; i++) {
        const double *a = A + i * k;
        for (int j = 0; j < n; j++) {
            const double *b = B + j;
            double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
            int p = 0;
            for (; p + 3 < k; p += 4) {
                s0 += a[p]     * b[(p)     * n];
                s1 += a[p + 1] * b[(p + 1) * n];
                s2 += a[p + 2] * b[(p + 2) * n];
                s3 += a[p + 3] * b[(p + 3) * n];
            }
            for (; p < k; p++)
                s0 += a[p] * b[p * n];
            C[i * n + j] = (s0 + s1) + (s2 + s3);
        }
    }
}
