/* techniques: register_blocking unrolling prefetch */
/* 2x4 scalar register tile with software prefetching of the next rows of B. */
#define PF_DIST 8

static void tile_2x4(int k, int n, const double *a0, const double *a1,
                     const double *b, double *c0, double *c1)
{
    double r00 = 0, r01 = 0, r02 = 0, r03 = 0;
    double r10 = 0, r11 = 0, r12 = 0, r13 = 0;
    for (int p = 0; p < k; p++) {
        const double *bp = b + (long)p * n;
        if (p + PF_DIST < k)
            __builtin_prefetch(bp + (long)PF_DIST * n, 0, 3);
        double x0 = a0[p], x1 = a1[p];
        r00 += x0 * bp[0]; r01 += x0 * bp[1]; r02 += x0 * bp[2]; r03 += x0 * bp[3];
        r10 += x1 * bp[0]; r11 += x1 * bp[1]; r12 += x1 * bp[2]; r13 += x1 * bp[3];
    }
    c0[0] = r00; c0[1] = r01; c0[2] = r02; c0[3] = r03;
    c1[0] = r10; c1[1] = r11; c1[2] = r12; c1[3] = r13;
}

static double dot_col(int k, int n, const double *a, const double *b)
{
    double s = 0.0;
    for (int p = 0; p < k; p++)
        s += a[p] * b[(long)p * n];
    return s;
}

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    int i = 0;
    for (; i + 1 < m; i += 2) {
        const double *a0 = A + (long)i * k, *a1 = a0 + k;
        double *c0 = C + (long)i * n, *c1 = c0 + n;
        int j = 0;
        for (; j + 3 < n; j += 4)
            tile_2x4(k, n, a0, a1, B + j, c0 + j, c1 + j);
        for (; j < n; j++) {
            c0[j] = dot_col(k, n, a0, B + j);
            c1[j] = dot_col(k, n, a1, B + j);
        }
    }
    for (; i < m; i++)
        for (int j = 0; j < n; j++)
            C[(long)i * n + j] = dot_col(k, n, A + (long)i * k, B + j);
}
