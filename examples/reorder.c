/* reorder.c - loop interchange: the i-k-j order makes the inner loop walk B
 * and C along rows (unit stride), and `restrict` tells the compiler the arrays
 * do not alias, so -O3 vectorises the inner loop on its own. C is zeroed
 * first because its prior contents are garbage. */
#include <string.h>

void dgemm(int m, int n, int k, const double *restrict A,
	   const double *restrict B, double *restrict C)
{
	for (int i = 0; i < m; i++) {
		double *restrict c = C + (long)i * n;
		memset(c, 0, (size_t)n * sizeof *c);
		for (int p = 0; p < k; p++) {
			const double a = A[(long)i * k + p];
			const double *restrict b = B + (long)p * n;
			for (int j = 0; j < n; j++)
				c[j] += a * b[j];
		}
	}
}
