/* techniques: cache_blocking packing loop_reorder */
#include <string.h>

#define MB 64
#define KB 256

/* A block (MB x KB) is copied into a contiguous static buffer so that the
 * compute loop reads it with unit stride while it sits in L2. */
static double Ablock[MB * KB];

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    memset(C, 0, sizeof(double) * (size_t)m * n);

    for (int kk = 0; kk < k; kk += KB) {
        int kb = (k - kk < KB) ? k - kk : KB;
        for (int ii = 0; ii < m; ii += MB) {
            int mb = (m - ii < MB) ? m - ii : MB;

            for (int i = 0; i < mb; i++)
                memcpy(&Ablock[i * kb], &A[(long)(ii + i) * k + kk], sizeof(double) * kb);

            for (int i = 0; i < mb; i++) {
                double *c = &C[(long)(ii + i) * n];
                for (int p = 0; p < kb; p++) {
                    double a = Ablock[i * kb + p];
                    const double *b = &B[(long)(kk + p) * n];
                    for (int j = 0; j < n; j++)
                        c[j] += a * b[j];
                }
            }
        }
    }
}
