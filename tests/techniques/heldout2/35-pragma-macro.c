/* techniques: openmp loop_reorder */
#include <string.h>

#define PARALLEL_ROWS _Pragma("omp parallel for schedule(guided)")

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    PARALLEL_ROWS
    for (int r = 0; r < m; ++r) {
        double *out = C + (long)r * n;
        const double *lhs = A + (long)r * k;
        memset(out, 0, sizeof(double) * (size_t)n);
        for (int t = 0; t < k; ++t) {
            const double s = lhs[t];
            const double *rhs = B + (long)t * n;
            for (int c = 0; c < n; ++c)
                out[c] += s * rhs[c];
        }
    }
}
