/* techniques: openmp loop_reorder */
void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	#pragma omp parallel
	{
		#pragma omp for schedule(dynamic, 4)
		for (int i = 0; i < m; i++) {
			double *c = &C[i*n];
			for (int j = 0; j < n; j++) c[j] = 0;
			for (int p = 0; p < k; p++) {
				double a = A[i*k+p];
				const double *b = &B[p*n];
				for (int j = 0; j < n; j++) c[j] += a*b[j];
			}
		}
	}
}
