/* techniques: simd loop_reorder */
#include <string.h>

typedef double v4d __attribute__((vector_size(32)));

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	memset(C, 0, sizeof(double) * (size_t)m * n);
	for (int i = 0; i < m; i++)
		for (int p = 0; p < k; p++) {
			double a = A[i * k + p];
			v4d av = {a, a, a, a};
			int j = 0;
			for (; j + 4 <= n; j += 4) {
				v4d b, c;
				memcpy(&b, &B[p * n + j], sizeof b);
				memcpy(&c, &C[i * n + j], sizeof c);
				c += av * b;
				memcpy(&C[i * n + j], &c, sizeof c);
			}
			for (; j < n; j++)
				C[i * n + j] += a * B[p * n + j];
		}
}
