/* techniques: prefetch loop_reorder */
#include <string.h>

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    const int dist = 2;   /* rows of B ahead */
    for (int i = 0; i < m; i++) {
        double *c = C + (size_t)i * n;
        memset(c, 0, (size_t)n * sizeof *c);
        for (int p = 0; p < k; p++) {
            if (p + dist < k)
                __builtin_prefetch(B + (size_t)(p + dist) * n, 0, 3);
            const double a = A[(size_t)i * k + p];
            const double *b = B + (size_t)p * n;
            for (int j = 0; j < n; j++)
                c[j] += a * b[j];
        }
    }
}
