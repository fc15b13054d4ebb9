/* expect: wrong_answer | class: tail handling - columns go eight at a time, then in pairs, and the pair loop writes its first column twice, so n % 8 in 2..7 leaves columns wrong */
/* The fixed check shapes have n % 8 in {0, 1} only; the random ones give
 * every residue mod 8. */
static double dot(int i, int j, int n, int k, const double *A, const double *B)
{
	double s = 0;
	for (int p = 0; p < k; p++)
		s += A[(long)i * k + p] * B[(long)p * n + j];
	return s;
}

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	for (int i = 0; i < m; i++) {
		int j = 0;
		for (; j + 8 <= n; j += 8)
			for (int u = 0; u < 8; u++)
				C[(long)i * n + j + u] = dot(i, j + u, n, k, A, B);
		for (; j + 2 <= n; j += 2) {
			double v = dot(i, j, n, k, A, B);
			C[(long)i * n + j] = v;
			C[(long)i * n + j + 1] = v; /* the bug: should be column j + 1 */
		}
		for (; j < n; j++)
			C[(long)i * n + j] = dot(i, j, n, k, A, B);
	}
}
