/* techniques: register_blocking */
#define RB 4

/* 4x4 register block held in a small local array; the compiler keeps it
 * in registers once the constant-trip loops are fully unrolled at -O3. */
void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    for (int i = 0; i < m; i += RB) {
        int hi = (m - i < RB) ? m - i : RB;
        for (int j = 0; j < n; j += RB) {
            int wj = (n - j < RB) ? n - j : RB;
            double acc[RB][RB] = {{0}};
            if (hi == RB && wj == RB) {
                for (int p = 0; p < k; p++) {
                    for (int c = 0; c < RB; c++) {
                        double bv = B[(long)p * n + j + c];
                        for (int r = 0; r < RB; r++)
                            acc[r][c] += A[(long)(i + r) * k + p] * bv;
                    }
                }
            } else {
                for (int r = 0; r < hi; r++)
                    for (int c = 0; c < wj; c++)
                        for (int p = 0; p < k; p++)
                            acc[r][c] += A[(long)(i + r) * k + p] * B[(long)p * n + j + c];
            }
            for (int r = 0; r < hi; r++)
                for (int c = 0; c < wj; c++)
                    C[(long)(i + r) * n + j + c] = acc[r][c];
        }
    }
}
