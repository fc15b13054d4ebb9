/* techniques: cache_blocking loop_reorder */
#include <string.h>

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	const int mb = 48, kb = 128;
	memset(C, 0, (size_t)m * n * sizeof *C);
	for (int i0 = 0; i0 < m; i0 += mb) {
		int iend = i0 + mb < m ? i0 + mb : m;
		for (int p0 = 0; p0 < k; p0 += kb) {
			int pend = p0 + kb < k ? p0 + kb : k;
			for (int i = i0; i < iend; i++)
				for (int p = p0; p < pend; p++) {
					double a = A[i * k + p];
					for (int j = 0; j < n; j++)
						C[i * n + j] += a * B[p * n + j];
				}
		}
	}
}
