/* techniques: none */
/* Straightforward reference DGEMM: C = A * B, row-major. */
#define IDX(r, c, ld) ((long)(r) * (ld) + (c))

void dgemm(int M, int N, int K, const double *A, const double *B, double *C)
{
    for (int row = 0; row < M; ++row) {
        for (int col = 0; col < N; ++col) {
            double acc = 0.0;
            for (int t = 0; t < K; ++t) {
                acc += A[IDX(row, t, K)] * B[IDX(t, col, N)];
            }
            C[IDX(row, col, N)] = acc;
        }
    }
}
