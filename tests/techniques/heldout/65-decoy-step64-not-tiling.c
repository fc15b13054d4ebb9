/* techniques: prefetch loop_reorder */
/* Two loops step by 64 here and neither is a cache tile: one zeroes C in
   64-element chunks with memset (no inner loop over the chunk), the other
   walks the next row of B in 64-byte cache lines to prefetch it. */
#include <string.h>
#include <stddef.h>

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    const size_t total = (size_t)m * n;
    for (size_t t = 0; t < total; t += 64) {
        const size_t len = total - t < 64 ? total - t : 64;
        memset(C + t, 0, len * sizeof(double));
    }
    const size_t row_bytes = (size_t)n * sizeof(double);
    for (int i = 0; i < m; i++) {
        double *c = C + (size_t)i * n;
        for (int p = 0; p < k; p++) {
            if (p + 1 < k) {
                const char *next = (const char *)(B + (size_t)(p + 1) * n);
                for (size_t off = 0; off < row_bytes; off += 64)
                    __builtin_prefetch(next + off, 0, 1);
            }
            const double a = A[(size_t)i * k + p];
            const double *b = B + (size_t)p * n;
            for (int j = 0; j < n; j++)
                c[j] += a * b[j];
        }
    }
}
