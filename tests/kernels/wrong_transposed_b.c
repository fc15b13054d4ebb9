/* expect: wrong_answer | class: transposed B - reads B as if it were stored n x k (column-major B); all reads stay in bounds */
void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	for (int i = 0; i < m; i++)
		for (int j = 0; j < n; j++) {
			double s = 0.0;
			for (int p = 0; p < k; p++)
				s += A[(long)i * k + p] * B[(long)j * k + p];
			C[(long)i * n + j] = s;
		}
}
