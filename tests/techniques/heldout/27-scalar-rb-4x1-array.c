/* techniques: register_blocking */
/* Four rows of one column of C accumulate in a small array across the k loop. */
#define MR 4

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    int i = 0;
    for (; i + MR <= m; i += MR)
        for (int j = 0; j < n; j++) {
            double acc[MR] = {0};
            for (int p = 0; p < k; p++) {
                const double b = B[p * n + j];
                for (int r = 0; r < MR; r++)
                    acc[r] += A[(i + r) * k + p] * b;
            }
            for (int r = 0; r < MR; r++)
                C[(i + r) * n + j] = acc[r];
        }
    for (; i < m; i++)
        for (int j = 0; j < n; j++) {
            double s = 0.0;
            for (int p = 0; p < k; p++)
                s += A[i * k + p] * B[p * n + j];
            C[i * n + j] = s;
        }
}
