/* openmp.c - the i-k-j loop of reorder.c shared out among the task's cores
 * with `#pragma omp parallel for` (OMP_NUM_THREADS threads). Each thread owns
 * whole rows of C, so no two threads ever write the same element. The rows go
 * in pairs, so that every row of B brought into cache feeds two rows of C:
 * the threads all stream the same B, and on a small machine that shared stream,
 * not the arithmetic, is what limits a plain one-row loop (two threads barely
 * beat one). The helpers take `restrict` parameters because OpenMP outlines the
 * loop body into a function of its own, where the qualifiers of dgemm's
 * parameters would be lost and the compiler would have to assume aliasing. */
#include <string.h>

/* rows i and i+1 of C together: every row of B that is loaded feeds both */
static void two_rows(int n, int k, const double *restrict a0, const double *restrict a1,
		     const double *restrict B, double *restrict c0, double *restrict c1)
{
	memset(c0, 0, (size_t)n * sizeof *c0);
	memset(c1, 0, (size_t)n * sizeof *c1);
	for (int p = 0; p < k; p++) {
		const double x0 = a0[p], x1 = a1[p];
		const double *restrict b = B + (long)p * n;
		for (int j = 0; j < n; j++) {
			c0[j] += x0 * b[j];
			c1[j] += x1 * b[j];
		}
	}
}

static void one_row(int n, int k, const double *restrict a, const double *restrict B,
		    double *restrict c)
{
	memset(c, 0, (size_t)n * sizeof *c);
	for (int p = 0; p < k; p++) {
		const double x = a[p];
		const double *restrict b = B + (long)p * n;
		for (int j = 0; j < n; j++)
			c[j] += x * b[j];
	}
}

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	const int pairs = m / 2;
#pragma omp parallel for schedule(static)
	for (int q = 0; q < pairs; q++) {
		const long i = 2L * q;
		two_rows(n, k, A + i * k, A + (i + 1) * k, B, C + i * n, C + (i + 1) * n);
	}
	if (m % 2)
		one_row(n, k, A + (long)(m - 1) * k, B, C + (long)(m - 1) * n);
}
