/* techniques: cache_blocking register_blocking packing unrolling */
/* Portable blocked DGEMM, no intrinsics, one thread: A and B are packed into
   4-wide panels per KC x MC block and a 4x4 scalar micro-kernel keeps 16
   accumulators in registers. */
#include <stdlib.h>
#include <string.h>

enum { MR = 4, NR = 4, MC = 64, KC = 128 };

static void micro(int kc, const double *a, const double *b, double *c, int ldc,
                  int h, int w, int add)
{
    double c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
    double c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
    for (int p = 0; p < kc; p++, a += MR, b += NR) {
        const double a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];
        const double b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3];
        c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
        c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
        c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
        c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
    }
    const double t[MR][NR] = {{c00, c01, c02, c03}, {c10, c11, c12, c13},
                              {c20, c21, c22, c23}, {c30, c31, c32, c33}};
    for (int r = 0; r < h; r++)
        for (int q = 0; q < w; q++)
            c[r * ldc + q] = add ? c[r * ldc + q] + t[r][q] : t[r][q];
}

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    const int npad = (n + NR - 1) / NR * NR;
    double *bpack = malloc(sizeof(double) * (size_t)KC * npad);
    double *apack = malloc(sizeof(double) * (size_t)KC * (MC + MR));
    if (!bpack || !apack) {
        free(bpack); free(apack);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double s = 0.0;
                for (int p = 0; p < k; p++) s += A[i * k + p] * B[p * n + j];
                C[i * n + j] = s;
            }
        return;
    }
    for (int pc = 0; pc < k; pc += KC) {
        const int kc = k - pc < KC ? k - pc : KC;
        double *d = bpack;
        for (int j0 = 0; j0 < n; j0 += NR)
            for (int p = 0; p < kc; p++)
                for (int q = 0; q < NR; q++)
                    *d++ = j0 + q < n ? B[(pc + p) * n + j0 + q] : 0.0;
        for (int ic = 0; ic < m; ic += MC) {
            const int mc = m - ic < MC ? m - ic : MC;
            d = apack;
            for (int i0 = 0; i0 < mc; i0 += MR)
                for (int p = 0; p < kc; p++)
                    for (int r = 0; r < MR; r++)
                        *d++ = i0 + r < mc ? A[(ic + i0 + r) * k + pc + p] : 0.0;
            for (int j0 = 0; j0 < n; j0 += NR)
                for (int i0 = 0; i0 < mc; i0 += MR)
                    micro(kc, apack + i0 * kc, bpack + j0 * kc, C + (ic + i0) * n + j0, n,
                          mc - i0 < MR ? mc - i0 : MR, n - j0 < NR ? n - j0 : NR, pc > 0);
        }
    }
    free(apack);
    free(bpack);
}
