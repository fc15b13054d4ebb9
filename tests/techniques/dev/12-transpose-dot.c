/* techniques: packing */
#include <stdlib.h>

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	double *bt = malloc(sizeof *bt * (size_t)k * n);
	if (!bt)
		return;
	for (int p = 0; p < k; p++)
		for (int j = 0; j < n; j++)
			bt[j * k + p] = B[p * n + j];
	for (int i = 0; i < m; i++)
		for (int j = 0; j < n; j++) {
			const double *x = A + i * k, *y = bt + j * k;
			double s = 0;
			for (int p = 0; p < k; p++)
				s += x[p] * y[p];
			C[i * n + j] = s;
		}
	free(bt);
}
