/* techniques: cache_blocking */
#define BS 32

static int min_i(int a, int b) { return a < b ? a : b; }

/* Classic three-level tiling, dot-product order inside each tile. */
void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++)
            C[i * n + j] = 0.0;

    for (int ii = 0; ii < m; ii += BS)
        for (int jj = 0; jj < n; jj += BS)
            for (int kk = 0; kk < k; kk += BS) {
                int ie = min_i(ii + BS, m), je = min_i(jj + BS, n), ke = min_i(kk + BS, k);
                for (int i = ii; i < ie; i++)
                    for (int j = jj; j < je; j++) {
                        double s = C[i * n + j];
                        for (int p = kk; p < ke; p++)
                            s += A[i * k + p] * B[p * n + j];
                        C[i * n + j] = s;
                    }
            }
}
