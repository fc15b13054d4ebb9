/* techniques: loop_reorder */
#include <string.h>

void dgemm(int m, int n, int k, const double *a, const double *b, double *c)
{
	memset(c, 0, sizeof(double) * (size_t)m * n);
	for (int i = 0; i < m; i++)
		for (int p = 0; p < k; p++) {
			double x = a[i * k + p];
			for (int j = 0; j < n; j++)
				c[i * n + j] += x * b[p * n + j];
		}
}
