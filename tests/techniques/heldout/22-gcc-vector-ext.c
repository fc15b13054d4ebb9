/* techniques: simd loop_reorder */
#include <string.h>

/* GCC generic vectors; aligned(8) so they may be loaded from any double. */
typedef double v4d __attribute__((vector_size(32), aligned(8)));

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    for (int i = 0; i < m; i++) {
        double *c = C + (size_t)i * n;
        memset(c, 0, (size_t)n * sizeof(double));
        for (int p = 0; p < k; p++) {
            const double a = A[(size_t)i * k + p];
            const v4d av = {a, a, a, a};
            const double *b = B + (size_t)p * n;
            int j = 0;
            for (; j + 4 <= n; j += 4)
                *(v4d *)(c + j) += av * *(const v4d *)(b + j);
            for (; j < n; j++) c[j] += a * b[j];
        }
    }
}
