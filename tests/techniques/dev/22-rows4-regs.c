/* techniques: register_blocking unrolling */
void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	int i = 0;
	for (; i + 4 <= m; i += 4)
		for (int j = 0; j < n; j++) {
			double c0 = 0, c1 = 0, c2 = 0, c3 = 0;
			for (int p = 0; p < k; p++) {
				const double b = B[p * n + j];
				c0 += A[i * k + p] * b;
				c1 += A[(i + 1) * k + p] * b;
				c2 += A[(i + 2) * k + p] * b;
				c3 += A[(i + 3) * k + p] * b;
			}
			C[i * n + j] = c0;
			C[(i + 1) * n + j] = c1;
			C[(i + 2) * n + j] = c2;
			C[(i + 3) * n + j] = c3;
		}
	for (; i < m; i++)
		for (int j = 0; j < n; j++) {
			double s = 0;
			for (int p = 0; p < k; p++)
				s += A[i * k + p] * B[p * n + j];
			C[i * n + j] = s;
		}
}
