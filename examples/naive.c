/* naive.c - the textbook i-j-k triple loop: the baseline every other example
 * is measured against. The inner loop walks B down a column (stride n), so it
 * misses the cache on nearly every access and cannot be vectorised. */
void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	for (int i = 0; i < m; i++)
		for (int j = 0; j < n; j++) {
			double sum = 0.0;
			for (int p = 0; p < k; p++)
				sum += A[(long)i * k + p] * B[(long)p * n + j];
			C[(long)i * n + j] = sum;
		}
}
