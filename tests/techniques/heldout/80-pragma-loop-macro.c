/* techniques: openmp simd loop_reorder */
/* Directives hidden in function-like loop macros, which are used. */
#include <string.h>

#define PAR_ROWS(i, count) _Pragma("omp parallel for schedule(static)") \
    for (int i = 0; i < (count); i++)
#define VEC_COLS(j, count) _Pragma("omp simd") for (int j = 0; j < (count); j++)

void dgemm(int m, int n, int k, const double *restrict A, const double *restrict B,
           double *restrict C)
{
    PAR_ROWS(i, m) {
        double *restrict c = C + (size_t)i * n;
        memset(c, 0, (size_t)n * sizeof(double));
        for (int p = 0; p < k; p++) {
            const double a = A[(size_t)i * k + p];
            const double *restrict b = B + (size_t)p * n;
            VEC_COLS(j, n)
                c[j] += a * b[j];
        }
    }
}
