/* techniques: simd loop_reorder */
#include <string.h>

/* Portable SIMD via GCC vector extensions: 4 doubles per vector. */
typedef double v4df __attribute__((vector_size(32)));

static inline v4df load4(const double *p) { v4df v; memcpy(&v, p, sizeof v); return v; }
static inline void store4(double *p, v4df v) { memcpy(p, &v, sizeof v); }

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    for (int i = 0; i < m; i++) {
        double *Crow = C + (long)i * n;
        memset(Crow, 0, sizeof(double) * n);
        for (int p = 0; p < k; p++) {
            double a = A[(long)i * k + p];
            v4df va = {a, a, a, a};
            const double *Brow = B + (long)p * n;
            int j = 0;
            for (; j + 4 <= n; j += 4)
                store4(Crow + j, load4(Crow + j) + va * load4(Brow + j));
            for (; j < n; j++)
                Crow[j] += a * Brow[j];
        }
    }
}
