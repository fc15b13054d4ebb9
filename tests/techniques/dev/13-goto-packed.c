/* techniques: cache_blocking packing register_blocking unrolling */
#include <stdlib.h>
#include <string.h>

#define MC 96
#define KC 256
#define MR 4
#define NR 4

static void pack_a(int mc, int kc, int k, const double *a, double *out)
{
	for (int i = 0; i < mc; i += MR)
		for (int p = 0; p < kc; p++)
			for (int r = 0; r < MR; r++)
				*out++ = i + r < mc ? a[(i + r) * k + p] : 0.0;
}

static void pack_b(int kc, int n, const double *b, double *out)
{
	for (int j = 0; j < n; j += NR)
		for (int p = 0; p < kc; p++)
			for (int c = 0; c < NR; c++)
				*out++ = j + c < n ? b[p * n + j + c] : 0.0;
}

static void kernel(int kc, const double *ap, const double *bp, double *c, int ldc, int rows,
		   int cols)
{
	double t[MR][NR] = {{0}};
	for (int p = 0; p < kc; p++, ap += MR, bp += NR)
		for (int r = 0; r < MR; r++) {
			t[r][0] += ap[r] * bp[0];
			t[r][1] += ap[r] * bp[1];
			t[r][2] += ap[r] * bp[2];
			t[r][3] += ap[r] * bp[3];
		}
	for (int r = 0; r < rows; r++)
		for (int j = 0; j < cols; j++)
			c[r * ldc + j] += t[r][j];
}

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	int np = (n + NR - 1) / NR * NR;
	double *ap = malloc(sizeof(double) * MC * KC);
	double *bp = malloc(sizeof(double) * KC * (size_t)np);
	memset(C, 0, sizeof(double) * (size_t)m * n);
	for (int pc = 0; pc < k; pc += KC) {
		int kc = k - pc < KC ? k - pc : KC;
		pack_b(kc, n, B + pc * n, bp);
		for (int ic = 0; ic < m; ic += MC) {
			int mc = m - ic < MC ? m - ic : MC;
			pack_a(mc, kc, k, A + ic * k + pc, ap);
			for (int i = 0; i < mc; i += MR)
				for (int j = 0; j < n; j += NR)
					kernel(kc, ap + i * kc, bp + j * kc, C + (ic + i) * n + j, n,
					       mc - i < MR ? mc - i : MR, n - j < NR ? n - j : NR);
		}
	}
	free(ap);
	free(bp);
}
