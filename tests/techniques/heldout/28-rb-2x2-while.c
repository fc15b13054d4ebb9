/* techniques: register_blocking unrolling */
static double one(int n, int k, const double *a, const double *b)
{
    double s = 0.0;
    int p = 0;
    while (p < k) { s += a[p] * *b; b += n; p++; }
    return s;
}

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    int i = 0;
    while (i + 1 < m) {
        const double *a0 = A + (long)i * k, *a1 = a0 + k;
        double *c0 = C + (long)i * n, *c1 = c0 + n;
        int j = 0;
        while (j + 1 < n) {
            double s00 = 0, s01 = 0, s10 = 0, s11 = 0;
            const double *b = B + j;
            int p = 0;
            while (p < k) {
                s00 += a0[p] * b[0];
                s01 += a0[p] * b[1];
                s10 += a1[p] * b[0];
                s11 += a1[p] * b[1];
                b += n; p++;
            }
            c0[j] = s00; c0[j + 1] = s01;
            c1[j] = s10; c1[j + 1] = s11;
            j += 2;
        }
        if (j < n) {
            c0[j] = one(n, k, a0, B + j);
            c1[j] = one(n, k, a1, B + j);
        }
        i += 2;
    }
    if (i < m) {
        int j = 0;
        while (j < n) { C[(long)i * n + j] = one(n, k, A + (long)i * k, B + j); j++; }
    }
}
