/* techniques: openmp simd loop_reorder */
void dgemm(int m, int n, int k, const double *restrict a, const double *restrict b,
	   double *restrict c)
{
#pragma omp parallel for schedule(static)
	for (int i = 0; i < m; ++i) {
		double *restrict ci = c + (long)i * n;
#pragma omp simd
		for (int j = 0; j < n; ++j)
			ci[j] = 0.0;
		for (int p = 0; p < k; ++p) {
			const double aip = a[(long)i * k + p];
			const double *restrict bp = b + (long)p * n;
#pragma omp simd
			for (int j = 0; j < n; ++j)
				ci[j] += aip * bp[j];
		}
	}
}
