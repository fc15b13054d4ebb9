/* expect: rejected | class: no dgemm - a correct multiplication under another name (matmul); nothing to call */
static void kernel(int m, int n, int k, const double *A, const double *B, double *C)
{
	for (int i = 0; i < m; i++)
		for (int j = 0; j < n; j++) {
			double s = 0.0;
			for (int p = 0; p < k; p++)
				s += A[(long)i * k + p] * B[(long)p * n + j];
			C[(long)i * n + j] = s;
		}
}

void matmul(int m, int n, int k, const double *A, const double *B, double *C)
{
	kernel(m, n, k, A, B, C);
}
