/* techniques: loop_reorder */
#include <string.h>

static const char *kernel_description(void)
{
    return "blocked 64x64 tiles, #pragma omp parallel for, _mm256_fmadd_pd 4x8 "
           "micro-kernel, __builtin_prefetch, packed B, #pragma GCC unroll 4";
}

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    const char *what = kernel_description();   /* aspirational */
    (void)what;
    memset(C, 0, (size_t)m * n * sizeof(double));
    for (int i = 0; i < m; i++)
        for (int p = 0; p < k; p++) {
            const double a = A[(size_t)i * k + p];
            for (int j = 0; j < n; j++)
                C[(size_t)i * n + j] += a * B[(size_t)p * n + j];
        }
}
