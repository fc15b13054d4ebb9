/* techniques: register_blocking unrolling */
static void edge(int m, int n, int k, int i0, int j0, const double *A, const double *B, double *C)
{
	for (int i = i0; i < m; i++)
		for (int j = (i < (m & ~1) ? j0 : 0); j < n; j++) {
			double s = 0;
			for (int p = 0; p < k; p++)
				s += A[i * k + p] * B[p * n + j];
			C[i * n + j] = s;
		}
}

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	int i, j;
	for (i = 0; i + 1 < m; i += 2) {
		for (j = 0; j + 1 < n; j += 2) {
			double c00 = 0, c01 = 0, c10 = 0, c11 = 0;
			for (int p = 0; p < k; p++) {
				double a0 = A[i * k + p], a1 = A[(i + 1) * k + p];
				double b0 = B[p * n + j], b1 = B[p * n + j + 1];
				c00 += a0 * b0;
				c01 += a0 * b1;
				c10 += a1 * b0;
				c11 += a1 * b1;
			}
			C[i * n + j] = c00;
			C[i * n + j + 1] = c01;
			C[(i + 1) * n + j] = c10;
			C[(i + 1) * n + j + 1] = c11;
		}
		if (j < n) {
			for (int r = i; r < i + 2; r++) {
				double s = 0;
				for (int p = 0; p < k; p++)
					s += A[r * k + p] * B[p * n + j];
				C[r * n + j] = s;
			}
		}
	}
	edge(m, n, k, i, 0, A, B, C);
}
