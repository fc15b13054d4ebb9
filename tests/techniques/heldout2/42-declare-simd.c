/* techniques: simd loop_reorder */
#include <string.h>

#pragma omp declare simd uniform(a) linear(b, c : 1)
static inline void axpy1(double a, const double *b, double *c)
{
    *c += a * *b;
}

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    memset(C, 0, sizeof(double) * (size_t)m * (size_t)n);
    for (int i = 0; i < m; i++)
        for (int p = 0; p < k; p++) {
            const double a = A[(size_t)i * k + p];
            const double *b = B + (size_t)p * n;
            double *c = C + (size_t)i * n;
            for (int j = 0; j < n; j++)
                axpy1(a, b + j, c + j);
        }
}
