/* techniques: openmp */
#include <omp.h>

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
#pragma omp parallel for collapse(2) schedule(static)
	for (int i = 0; i < m; i++)
		for (int j = 0; j < n; j++) {
			double acc = 0.0;
			for (int p = 0; p < k; p++)
				acc += A[i * k + p] * B[p * n + j];
			C[i * n + j] = acc;
		}
}
