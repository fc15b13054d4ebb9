/* techniques: simd loop_reorder */
/* #pragma omp simd without a thread in sight: vectorisation only. */
void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	for (int i = 0; i < m; i++) {
		double *c = C + i * n;
		for (int j = 0; j < n; j++)
			c[j] = 0;
		for (int p = 0; p < k; p++) {
			const double a = A[i * k + p];
			const double *b = B + p * n;
#pragma omp simd
			for (int j = 0; j < n; j++)
				c[j] += a * b[j];
		}
	}
}
