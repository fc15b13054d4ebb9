/* techniques: cache_blocking loop_reorder */
#include <string.h>

enum { TILE = 32 };

static void block(int i0, int p0, int j0, int m, int n, int k, const double *a,
		  const double *b, double *c)
{
	int ie = i0 + TILE < m ? i0 + TILE : m;
	int pe = p0 + TILE < k ? p0 + TILE : k;
	int je = j0 + TILE < n ? j0 + TILE : n;
	for (int i = i0; i < ie; i++)
		for (int p = p0; p < pe; p++) {
			double x = a[i * k + p];
			for (int j = j0; j < je; j++)
				c[i * n + j] += x * b[p * n + j];
		}
}

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	memset(C, 0, sizeof *C * (size_t)m * n);
	for (int i = 0; i < m; i += TILE)
		for (int p = 0; p < k; p += TILE)
			for (int j = 0; j < n; j += TILE)
				block(i, p, j, m, n, k, A, B, C);
}
