/* techniques: cache_blocking register_blocking unrolling */
#include <string.h>

#define BI 64
#define BJ 64
#define BK 128
#define MIN(a, b) ((a) < (b) ? (a) : (b))

/* C[i..i+3][j..j+3] += A[i..i+3][k0..k1) * B[k0..k1)[j..j+3] */
static inline void upd4x4(const double *A, const double *B, double *C,
                          int n, int k, int i, int j, int k0, int k1)
{
    double *c0 = C + (long)i * n + j, *c1 = c0 + n, *c2 = c1 + n, *c3 = c2 + n;
    double x00 = c0[0], x01 = c0[1], x02 = c0[2], x03 = c0[3];
    double x10 = c1[0], x11 = c1[1], x12 = c1[2], x13 = c1[3];
    double x20 = c2[0], x21 = c2[1], x22 = c2[2], x23 = c2[3];
    double x30 = c3[0], x31 = c3[1], x32 = c3[2], x33 = c3[3];
    for (int p = k0; p < k1; p++) {
        const double *b = B + (long)p * n + j;
        double a0 = A[(long)i * k + p], a1 = A[(long)(i + 1) * k + p];
        double a2 = A[(long)(i + 2) * k + p], a3 = A[(long)(i + 3) * k + p];
        x00 += a0 * b[0]; x01 += a0 * b[1]; x02 += a0 * b[2]; x03 += a0 * b[3];
        x10 += a1 * b[0]; x11 += a1 * b[1]; x12 += a1 * b[2]; x13 += a1 * b[3];
        x20 += a2 * b[0]; x21 += a2 * b[1]; x22 += a2 * b[2]; x23 += a2 * b[3];
        x30 += a3 * b[0]; x31 += a3 * b[1]; x32 += a3 * b[2]; x33 += a3 * b[3];
    }
    c0[0] = x00; c0[1] = x01; c0[2] = x02; c0[3] = x03;
    c1[0] = x10; c1[1] = x11; c1[2] = x12; c1[3] = x13;
    c2[0] = x20; c2[1] = x21; c2[2] = x22; c2[3] = x23;
    c3[0] = x30; c3[1] = x31; c3[2] = x32; c3[3] = x33;
}

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    memset(C, 0, sizeof(double) * (size_t)m * n);
    for (int i0 = 0; i0 < m; i0 += BI) {
        int i1 = MIN(i0 + BI, m);
        for (int j0 = 0; j0 < n; j0 += BJ) {
            int j1 = MIN(j0 + BJ, n);
            for (int k0 = 0; k0 < k; k0 += BK) {
                int k1 = MIN(k0 + BK, k);
                int i = i0;
                for (; i + 4 <= i1; i += 4) {
                    int j = j0;
                    for (; j + 4 <= j1; j += 4)
                        upd4x4(A, B, C, n, k, i, j, k0, k1);
                    for (; j < j1; j++)
                        for (int r = i; r < i + 4; r++) {
                            double s = C[(long)r * n + j];
                            for (int p = k0; p < k1; p++)
                                s += A[(long)r * k + p] * B[(long)p * n + j];
                            C[(long)r * n + j] = s;
                        }
                }
                for (; i < i1; i++)
                    for (int j = j0; j < j1; j++) {
                        double s = C[(long)i * n + j];
                        for (int p = k0; p < k1; p++)
                            s += A[(long)i * k + p] * B[(long)p * n + j];
                        C[(long)i * n + j] = s;
                    }
            }
        }
    }
}
