/* techniques: openmp loop_reorder */
#include <string.h>

static void rows(int lo, int hi, int n, int k, const double *A, const double *B, double *C)
{
	for (int i = lo; i < hi; i++) {
		memset(C + i * n, 0, sizeof(double) * n);
		for (int p = 0; p < k; p++)
			for (int j = 0; j < n; j++)
				C[i * n + j] += A[i * k + p] * B[p * n + j];
	}
}

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
#pragma omp parallel
#pragma omp single
	for (int i = 0; i < m; i += 8) {
		int hi = i + 8 < m ? i + 8 : m;
#pragma omp task firstprivate(i, hi)
		rows(i, hi, n, k, A, B, C);
	}
}
