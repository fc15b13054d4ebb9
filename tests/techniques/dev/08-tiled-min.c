/* techniques: cache_blocking */
#define BS 64
static int min(int a, int b) { return a < b ? a : b; }

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	for (int i = 0; i < m * n; i++)
		C[i] = 0;
	for (int ii = 0; ii < m; ii += BS)
		for (int jj = 0; jj < n; jj += BS)
			for (int pp = 0; pp < k; pp += BS)
				for (int i = ii; i < min(ii + BS, m); i++)
					for (int j = jj; j < min(jj + BS, n); j++) {
						double s = C[i * n + j];
						for (int p = pp; p < min(pp + BS, k); p++)
							s += A[i * k + p] * B[p * n + j];
						C[i * n + j] = s;
					}
}
