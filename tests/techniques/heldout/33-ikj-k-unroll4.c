/* techniques: unrolling loop_reorder */
#include <string.h>

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    for (int i = 0; i < m; i++) {
        double *c = C + (size_t)i * n;
        const double *a = A + (size_t)i * k;
        memset(c, 0, sizeof(double) * (size_t)n);
        int p = 0;
        for (; p + 4 <= k; p += 4) {          /* four rows of B per sweep of c */
            const double a0 = a[p], a1 = a[p + 1], a2 = a[p + 2], a3 = a[p + 3];
            const double *b0 = B + (size_t)p * n;
            const double *b1 = b0 + n, *b2 = b1 + n, *b3 = b2 + n;
            for (int j = 0; j < n; j++)
                c[j] += a0 * b0[j] + a1 * b1[j] + a2 * b2[j] + a3 * b3[j];
        }
        for (; p < k; p++) {
            const double ap = a[p];
            const double *bp = B + (size_t)p * n;
            for (int j = 0; j < n; j++)
                c[j] += ap * bp[j];
        }
    }
}
