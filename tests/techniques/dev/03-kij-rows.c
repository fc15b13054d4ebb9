/* techniques: loop_reorder */
void dgemm(int m, int n, int k, const double *restrict A, const double *restrict B,
	   double *restrict C)
{
	for (long q = 0; q < (long)m * n; q++)
		C[q] = 0.0;
	for (int p = 0; p < k; p++) {
		const double *brow = B + (long)p * n;
		for (int i = 0; i < m; i++) {
			double *crow = &C[(long)i * n];
			const double aip = A[(long)i * k + p];
			for (int j = 0; j < n; j++)
				crow[j] += aip * brow[j];
		}
	}
}
