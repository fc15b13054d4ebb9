/* techniques: cache_blocking loop_reorder */
#include <string.h>

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    const int kc = 192;           /* depth of a panel of B that stays in L2 */
    memset(C, 0, sizeof(double) * (size_t)m * (size_t)n);
    for (int pb = 0; pb < k; pb += kc) {
        int pe = pb + kc; if (pe > k) pe = k;
        for (int i = 0; i < m; i++) {
            double *ci = C + (size_t)i * n;
            for (int p = pb; p < pe; p++) {
                double aip = A[(size_t)i * k + p];
                const double *bp = B + (size_t)p * n;
                for (int j = 0; j < n; j++) ci[j] += aip * bp[j];
            }
        }
    }
}
