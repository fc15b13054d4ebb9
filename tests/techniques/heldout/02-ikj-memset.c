/* techniques: loop_reorder */
#include <string.h>

// i-k-j loop order: the inner loop streams a row of B and a row of C with unit
// stride, so the hardware prefetcher and the auto-vectoriser both do their job.
void dgemm(int m, int n, int k, const double *A, const double *B, double *C) {
    memset(C, 0, sizeof(double) * (size_t)m * n);
    for (int i = 0; i < m; ++i) {
        for (int p = 0; p < k; ++p) {
            double a_ip = A[i * k + p];
            for (int j = 0; j < n; ++j) {
                C[i * n + j] += a_ip * B[p * n + j];
            }
        }
    }
}
