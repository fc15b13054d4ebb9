/* techniques: unrolling */
/*
 * Textbook ijk DGEMM, but the inner product is unrolled by 4 with four
 * independent partial sums to break the FP add dependency chain
 * ("multiple accumulators").
 */
void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    for (int i = 0; i < m; i++) {
        const double *a = A + (long)i * k;
        for (int j = 0; j < n; j++) {
            const double *b = B + j;
            double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
            int p = 0;
            for (; p + 3 < k; p += 4) {
                s0 += a[p]     * b[(long)p * n];
                s1 += a[p + 1] * b[(long)(p + 1) * n];
                s2 += a[p + 2] * b[(long)(p + 2) * n];
                s3 += a[p + 3] * b[(long)(p + 3) * n];
            }
            for (; p < k; p++)
                s0 += a[p] * b[(long)p * n];
            C[(long)i * n + j] = (s0 + s1) + (s2 + s3);
        }
    }
}
