/* techniques: simd register_blocking */
/* GCC vector extensions: four rows x 4 columns of C in four v4df accumulators. */
typedef double v4df __attribute__((vector_size(32)));
typedef double v4df_u __attribute__((vector_size(32), aligned(8)));

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    int i, j, p, r;
    for (i = 0; i < m; i += 4) {
        const int R = (m - i < 4) ? m - i : 4;
        for (j = 0; j + 4 <= n; j += 4) {
            v4df acc[4] = {{0}};
            const double *bp = B + j;
            for (p = 0; p < k; p++, bp += n) {
                const v4df bv = *(const v4df_u *)bp;
                for (r = 0; r < R; r++)
                    acc[r] += A[(long)(i + r) * k + p] * bv;
            }
            for (r = 0; r < R; r++)
                *(v4df_u *)(C + (long)(i + r) * n + j) = acc[r];
        }
        for (; j < n; j++)
            for (r = 0; r < R; r++) {
                double s = 0.0;
                for (p = 0; p < k; p++) s += A[(long)(i + r) * k + p] * B[(long)p * n + j];
                C[(long)(i + r) * n + j] = s;
            }
    }
}
