/* techniques: simd loop_reorder */
/* `omp declare simd` makes vector clones of the helper; still no threads. */
#include <string.h>

#pragma omp declare simd uniform(a) notinbranch
static inline double madd(double a, double b, double c)
{
    return c + a * b;
}

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    memset(C, 0, sizeof(double) * (size_t)m * n);
    for (int i = 0; i < m; i++)
        for (int p = 0; p < k; p++) {
            const double a = A[(size_t)i * k + p];
            const double *b = B + (size_t)p * n;
            double *c = C + (size_t)i * n;
#pragma omp simd
            for (int j = 0; j < n; j++)
                c[j] = madd(a, b[j], c[j]);
        }
}
