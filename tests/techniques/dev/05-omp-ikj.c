/* techniques: openmp loop_reorder */
void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	#pragma omp parallel
	{
		#pragma omp for
		for (int i = 0; i < m; i++) {
			for (int j = 0; j < n; j++)
				C[i * n + j] = 0;
			for (int p = 0; p < k; p++)
				for (int j = 0; j < n; j++)
					C[i * n + j] += A[i * k + p] * B[p * n + j];
		}
	}
}
