/* techniques: none */
/* j-k-i: the innermost loop walks A and C down columns. */
void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	for (int j = 0; j < n; j++) {
		for (int i = 0; i < m; i++)
			C[i * n + j] = 0.0;
		for (int p = 0; p < k; p++) {
			double b = B[p * n + j];
			for (int i = 0; i < m; i++)
				C[i * n + j] += A[i * k + p] * b;
		}
	}
}
