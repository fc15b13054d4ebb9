/* techniques: loop_reorder */
/* k-i-j order written with pointers: every row of b is swept once per row of a. */
#include <stddef.h>

void dgemm(int m, int n, int k, const double *a, const double *b, double *c)
{
	double *cend = c + (size_t)m * n;
	for (double *q = c; q != cend; ++q)
		*q = 0.0;
	for (int p = 0; p < k; p++) {
		const double *brow = b + (size_t)p * n;
		for (int i = 0; i < m; i++) {
			const double s = a[(size_t)i * k + p];
			double *cp = c + (size_t)i * n;
			const double *bp = brow;
			const double *const bstop = brow + n;
			while (bp < bstop)
				*cp++ += s * *bp++;
		}
	}
}
