/* techniques: register_blocking unrolling */
/* DGEMM written with while loops and a 2x2 block of C kept in registers. */
void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    int i = 0;
    while (i < m) {
        int rows = (m - i >= 2) ? 2 : 1;
        int j = 0;
        while (j < n) {
            int cols = (n - j >= 2) ? 2 : 1;
            if (rows == 2 && cols == 2) {
                const double *pa0 = A + (long)i * k;
                const double *pa1 = pa0 + k;
                const double *pb = B + j;
                double t00 = 0.0, t01 = 0.0, t10 = 0.0, t11 = 0.0;
                int p = 0;
                while (p < k) {
                    double b0 = pb[0], b1 = pb[1];
                    t00 += *pa0 * b0;
                    t01 += *pa0 * b1;
                    t10 += *pa1 * b0;
                    t11 += *pa1 * b1;
                    pa0++;
                    pa1++;
                    pb += n;
                    p++;
                }
                C[(long)i * n + j] = t00;
                C[(long)i * n + j + 1] = t01;
                C[(long)(i + 1) * n + j] = t10;
                C[(long)(i + 1) * n + j + 1] = t11;
            } else {
                for (int r = i; r < i + rows; r++)
                    for (int c = j; c < j + cols; c++) {
                        double s = 0.0;
                        int p = 0;
                        while (p < k) {
                            s += A[(long)r * k + p] * B[(long)p * n + c];
                            p++;
                        }
                        C[(long)r * n + c] = s;
                    }
            }
            j += cols;
        }
        i += rows;
    }
}
