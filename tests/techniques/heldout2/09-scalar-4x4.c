/* techniques: register_blocking unrolling */
/*
 * DGEMM with a 4x4 register tile: sixteen scalar accumulators stay in
 * registers for the whole k loop. Leftover rows/columns use a plain dot product.
 */
static inline void kernel_4x4(int k, int n, const double *a, const double *b, double *c)
{
    double c00 = 0, c01 = 0, c02 = 0, c03 = 0;
    double c10 = 0, c11 = 0, c12 = 0, c13 = 0;
    double c20 = 0, c21 = 0, c22 = 0, c23 = 0;
    double c30 = 0, c31 = 0, c32 = 0, c33 = 0;

    for (int p = 0; p < k; ++p) {
        const double *bp = b + (long)p * n;
        double b0 = bp[0], b1 = bp[1], b2 = bp[2], b3 = bp[3];
        double a0 = a[p], a1 = a[k + p], a2 = a[2L * k + p], a3 = a[3L * k + p];

        c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
        c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
        c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
        c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
    }

    c[0] = c00; c[1] = c01; c[2] = c02; c[3] = c03;
    c += n;
    c[0] = c10; c[1] = c11; c[2] = c12; c[3] = c13;
    c += n;
    c[0] = c20; c[1] = c21; c[2] = c22; c[3] = c23;
    c += n;
    c[0] = c30; c[1] = c31; c[2] = c32; c[3] = c33;
}

static inline double dot(int k, int n, const double *a, const double *b)
{
    double s = 0.0;
    for (int p = 0; p < k; ++p)
        s += a[p] * b[(long)p * n];
    return s;
}

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    int m4 = m - m % 4;
    int n4 = n - n % 4;

    for (int i = 0; i < m4; i += 4) {
        for (int j = 0; j < n4; j += 4)
            kernel_4x4(k, n, A + (long)i * k, B + j, C + (long)i * n + j);
        for (int r = i; r < i + 4; ++r)
            for (int j = n4; j < n; ++j)
                C[(long)r * n + j] = dot(k, n, A + (long)r * k, B + j);
    }
    for (int i = m4; i < m; ++i)
        for (int j = 0; j < n; ++j)
            C[(long)i * n + j] = dot(k, n, A + (long)i * k, B + j);
}
