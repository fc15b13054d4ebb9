/* expect: wrong_answer | class: accumulates into C without zeroing it first (C's prior contents are garbage: NaN poison) */
void dgemm(int m, int n, int k, const double *restrict A,
	   const double *restrict B, double *restrict C)
{
	for (int i = 0; i < m; i++)
		for (int p = 0; p < k; p++) {
			const double a = A[(long)i * k + p];
			for (int j = 0; j < n; j++)
				C[(long)i * n + j] += a * B[(long)p * n + j];
		}
}
