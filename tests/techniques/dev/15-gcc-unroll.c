/* techniques: unrolling loop_reorder */
void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	for (int i = 0; i < m; i++) {
		for (int j = 0; j < n; j++)
			C[i * n + j] = 0;
		for (int p = 0; p < k; p++) {
			double a = A[i * k + p];
#pragma GCC unroll 8
			for (int j = 0; j < n; j++)
				C[i * n + j] += a * B[p * n + j];
		}
	}
}
