/* techniques: simd loop_reorder */
/* `#pragma omp simd` only: no threads are started. */
#include <string.h>
void dgemm(int m, int n, int k, const double *restrict A, const double *restrict B, double *restrict C)
{
  memset(C, 0, (size_t)m*n*sizeof(double));
  for (int i = 0; i < m; i++)
    for (int p = 0; p < k; p++) {
      const double a = A[(size_t)i*k + p];
      double *restrict c = C + (size_t)i*n;
      const double *restrict b = B + (size_t)p*n;
#pragma omp simd
      for (int j = 0; j < n; j++)
        c[j] += a * b[j];
    }
}
