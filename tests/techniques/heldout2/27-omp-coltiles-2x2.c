/* techniques: openmp cache_blocking register_blocking unrolling */
#include <omp.h>

#define NB 64   /* column tile width: a k x NB strip of B is reused by every row pair */

static double dot_strided(const double *a, const double *b, int k, int ldb)
{
    double acc = 0.0;
    for (int p = 0; p < k; p++)
        acc += a[p] * b[(long)p * ldb];
    return acc;
}

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    #pragma omp parallel for schedule(dynamic, 1)
    for (int jj = 0; jj < n; jj += NB) {
        int jend = jj + NB < n ? jj + NB : n;
        int i = 0;
        for (; i + 2 <= m; i += 2) {
            const double *a0 = A + (long)i * k;
            const double *a1 = a0 + k;
            int j = jj;
            for (; j + 2 <= jend; j += 2) {
                double c00 = 0.0, c01 = 0.0, c10 = 0.0, c11 = 0.0;
                for (int p = 0; p < k; p++) {
                    double b0 = B[(long)p * n + j];
                    double b1 = B[(long)p * n + j + 1];
                    c00 += a0[p] * b0;
                    c01 += a0[p] * b1;
                    c10 += a1[p] * b0;
                    c11 += a1[p] * b1;
                }
                C[(long)i * n + j] = c00;
                C[(long)i * n + j + 1] = c01;
                C[(long)(i + 1) * n + j] = c10;
                C[(long)(i + 1) * n + j + 1] = c11;
            }
            for (; j < jend; j++) {
                C[(long)i * n + j] = dot_strided(a0, B + j, k, n);
                C[(long)(i + 1) * n + j] = dot_strided(a1, B + j, k, n);
            }
        }
        for (; i < m; i++)
            for (int j = jj; j < jend; j++)
                C[(long)i * n + j] = dot_strided(A + (long)i * k, B + j, k, n);
    }
}
