/* techniques: loop_reorder */
/* __builtin_prefetch made this slower, so PREFETCH now expands to nothing. */
#include <string.h>

#define PREFETCH(addr) ((void)(addr))

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    for (int i = 0; i < m; i++) {
        double *c = C + (size_t)i * n;
        memset(c, 0, (size_t)n * sizeof(double));
        for (int p = 0; p < k; p++) {
            const double *b = B + (size_t)p * n;
            PREFETCH(b + n);
            const double a = A[(size_t)i * k + p];
            for (int j = 0; j < n; j++)
                c[j] += a * b[j];
        }
    }
}
