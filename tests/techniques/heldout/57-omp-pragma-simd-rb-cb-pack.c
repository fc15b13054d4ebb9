/* techniques: openmp simd cache_blocking register_blocking packing */
/* Each 8-row strip of A is copied, KC columns at a time, into a local array
   (transposed, zero-padded); eight rows of one column of C accumulate in acc[8]
   across the KC block and `#pragma omp simd` vectorises the update over rows. */
#include <string.h>

#define RB 8
#define KC 128

void dgemm(int m, int n, int k, const double *restrict A, const double *restrict B,
           double *restrict C)
{
    memset(C, 0, sizeof(double) * (size_t)m * n);
#pragma omp parallel for schedule(dynamic, 1)
    for (int i = 0; i < m; i += RB) {
        const int h = m - i < RB ? m - i : RB;
        double at[KC * RB];                 /* unused rows are zero */
        for (int kc = 0; kc < k; kc += KC) {
            const int ke = kc + KC < k ? kc + KC : k;
            for (int p = kc; p < ke; p++)
                for (int r = 0; r < RB; r++)
                    at[(p - kc) * RB + r] = r < h ? A[(size_t)(i + r) * k + p] : 0.0;
            for (int j = 0; j < n; j++) {
                double acc[RB] = {0};
                for (int p = kc; p < ke; p++) {
                    const double b = B[(size_t)p * n + j];
                    const double *a = at + (p - kc) * RB;
#pragma omp simd
                    for (int r = 0; r < RB; r++)
                        acc[r] += a[r] * b;
                }
                for (int r = 0; r < h; r++)
                    C[(size_t)(i + r) * n + j] += acc[r];
            }
        }
    }
}
