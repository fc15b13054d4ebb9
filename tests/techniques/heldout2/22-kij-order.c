/* techniques: loop_reorder */
#include <string.h>

/* k-i-j loop order: every row of B is streamed once per k, rank-1 updates. */
void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    memset(C, 0, (size_t)m * (size_t)n * sizeof(double));
    for (int p = 0; p < k; ++p) {
        const double *b = &B[(size_t)p * n];
        for (int i = 0; i < m; ++i) {
            const double a = A[(size_t)i * k + p];
            double *c = &C[(size_t)i * n];
            for (int j = 0; j < n; ++j)
                c[j] += a * b[j];
        }
    }
}
