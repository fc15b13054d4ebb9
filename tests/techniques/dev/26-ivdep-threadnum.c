/* techniques: none */
#include <omp.h>

/* omp_get_max_threads() without a parallel region, and #pragma GCC ivdep: neither threads
 * nor explicit SIMD. */
void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	int nt = omp_get_max_threads();
	for (int i = 0; i < m; i++)
		for (int j = 0; j < n; j++) {
			double s = 0;
#pragma GCC ivdep
			for (int p = 0; p < k; p++)
				s += A[i * k + p] * B[p * n + j];
			C[i * n + j] = s * (nt > 0);
		}
}
