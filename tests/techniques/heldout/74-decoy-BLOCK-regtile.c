/* techniques: register_blocking unrolling */
/* BLOCK is a 4-row register tile, not a cache block; `tile` points at A. */
#define BLOCK 4

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    int i = 0;
    for (; i + BLOCK <= m; i += BLOCK) {
        const double *tile = A + (long)i * k;
        for (int j = 0; j < n; j++) {
            double t0 = 0.0, t1 = 0.0, t2 = 0.0, t3 = 0.0;
            for (int p = 0; p < k; p++) {
                const double b = B[(long)p * n + j];
                t0 += tile[p] * b;
                t1 += tile[k + p] * b;
                t2 += tile[2 * k + p] * b;
                t3 += tile[3 * k + p] * b;
            }
            C[(long)i * n + j] = t0;
            C[(long)(i + 1) * n + j] = t1;
            C[(long)(i + 2) * n + j] = t2;
            C[(long)(i + 3) * n + j] = t3;
        }
    }
    for (; i < m; i++)
        for (int j = 0; j < n; j++) {
            double s = 0.0;
            for (int p = 0; p < k; p++) s += A[(long)i * k + p] * B[(long)p * n + j];
            C[(long)i * n + j] = s;
        }
}
