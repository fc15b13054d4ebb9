/* techniques: register_blocking packing unrolling prefetch */
#include <immintrin.h>
#include <stdlib.h>

/* B is transposed into Bt; two dot products (columns j and j+1) share each
 * load of A, and the next cache lines are prefetched with _mm_prefetch. */
void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    double *Bt = malloc(sizeof(double) * (size_t)n * k);
    for (int p = 0; p < k; p++)
        for (int j = 0; j < n; j++)
            Bt[(size_t)j * k + p] = B[(size_t)p * n + j];

    for (int i = 0; i < m; i++) {
        const double *a = A + (size_t)i * k;
        int j = 0;
        for (; j + 1 < n; j += 2) {
            const double *b0 = Bt + (size_t)j * k;
            const double *b1 = b0 + k;
            double s0 = 0.0, s1 = 0.0;
            for (int p = 0; p < k; p++) {
                if ((p & 7) == 0) {
                    _mm_prefetch((const char *)(b0 + p + 32), _MM_HINT_T0);
                    _mm_prefetch((const char *)(b1 + p + 32), _MM_HINT_T0);
                }
                s0 += a[p] * b0[p];
                s1 += a[p] * b1[p];
            }
            C[(size_t)i * n + j] = s0;
            C[(size_t)i * n + j + 1] = s1;
        }
        for (; j < n; j++) {
            const double *b0 = Bt + (size_t)j * k;
            double s = 0.0;
            for (int p = 0; p < k; p++)
                s += a[p] * b0[p];
            C[(size_t)i * n + j] = s;
        }
    }
    free(Bt);
}
