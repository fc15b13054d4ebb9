/* techniques: openmp loop_reorder */
#define PRAGMA(x) _Pragma(#x)
#define PAR(clauses) PRAGMA(omp parallel for clauses)

void dgemm(int m, int n, int k, const double *A, \
	   const double *B, double *C)
{
	PAR(schedule(static))
	for (int i = 0; i < m; i++) {
		double *c = C + i * n;
		for (int j = 0; j < n; j++)
			c[j] = 0;
		for (int p = 0; p < k; p++)
			for (int j = 0; j < n; j++)
				c[j] += A[i * k + p] * B[p * n + j];
	}
}
