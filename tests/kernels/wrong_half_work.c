/* expect: wrong_answer | class: half the work - computes only the even rows of C (twice the GFLOPS on paper) */
/* Right on 1x1x1; every odd row is left as it was (NaN-poisoned). */
void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	for (int i = 0; i < m; i += 2)
		for (int j = 0; j < n; j++) {
			double s = 0.0;
			for (int p = 0; p < k; p++)
				s += A[(long)i * k + p] * B[(long)p * n + j];
			C[(long)i * n + j] = s;
		}
}
