/* techniques: register_blocking unrolling */
/* 4x4 block of C held in 16 scalar accumulators across the whole k loop. */
static double dot(int n, int k, const double *A, const double *B, int i, int j)
{
    double s = 0.0;
    for (int p = 0; p < k; p++) s += A[i * k + p] * B[p * n + j];
    return s;
}

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    int i, j, p;
    const int m4 = m - m % 4, n4 = n - n % 4;

    for (i = 0; i < m4; i += 4)
        for (j = 0; j < n4; j += 4) {
            double c00 = 0, c01 = 0, c02 = 0, c03 = 0;
            double c10 = 0, c11 = 0, c12 = 0, c13 = 0;
            double c20 = 0, c21 = 0, c22 = 0, c23 = 0;
            double c30 = 0, c31 = 0, c32 = 0, c33 = 0;
            const double *a0 = A + (i + 0) * k, *a1 = A + (i + 1) * k;
            const double *a2 = A + (i + 2) * k, *a3 = A + (i + 3) * k;
            for (p = 0; p < k; p++) {
                const double *b = B + p * n + j;
                const double b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3];
                const double x0 = a0[p], x1 = a1[p], x2 = a2[p], x3 = a3[p];
                c00 += x0 * b0; c01 += x0 * b1; c02 += x0 * b2; c03 += x0 * b3;
                c10 += x1 * b0; c11 += x1 * b1; c12 += x1 * b2; c13 += x1 * b3;
                c20 += x2 * b0; c21 += x2 * b1; c22 += x2 * b2; c23 += x2 * b3;
                c30 += x3 * b0; c31 += x3 * b1; c32 += x3 * b2; c33 += x3 * b3;
            }
            double *c = C + i * n + j;
            c[0] = c00;         c[1] = c01;         c[2] = c02;         c[3] = c03;
            c[n] = c10;         c[n + 1] = c11;     c[n + 2] = c12;     c[n + 3] = c13;
            c[2 * n] = c20;     c[2 * n + 1] = c21; c[2 * n + 2] = c22; c[2 * n + 3] = c23;
            c[3 * n] = c30;     c[3 * n + 1] = c31; c[3 * n + 2] = c32; c[3 * n + 3] = c33;
        }

    /* right-hand columns of the full row blocks, then the leftover rows */
    for (i = 0; i < m; i++)
        for (j = (i < m4 ? n4 : 0); j < n; j++)
            C[i * n + j] = dot(n, k, A, B, i, j);
}
