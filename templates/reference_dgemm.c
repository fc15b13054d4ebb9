/* perfrl's reference kernel (--reward ratio): i-k-j order, OpenMP over rows, -O3
 * vectorises the j loop. Measured on the same node, in the same run, as the kernel it
 * is compared with. */
void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
#pragma omp parallel for schedule(static)
	for (int i = 0; i < m; i++) {
		double *c = C + (long)i * n;
		for (int j = 0; j < n; j++)
			c[j] = 0;
		for (int p = 0; p < k; p++) {
			double a = A[(long)i * k + p];
			const double *b = B + (long)p * n;
			for (int j = 0; j < n; j++)
				c[j] += a * b[j];
		}
	}
}
