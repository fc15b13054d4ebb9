
/* Packing: A[0:mc, 0:kc] (row stride lda) goes into MR-row panels (kc x MR each, one
 * column of the panel after the other) and B[0:kc, 0:nc] (row stride ldb) into
 * NR-column panels (kc x NR each); both are zero-padded, so the micro-kernel reads them
 * with unit stride and always computes whole tiles. */
static void pack_a(int mc, int kc, const double *restrict A, long lda, double *restrict out)
{
	for (int i0 = 0; i0 < mc; i0 += MR) {
		const int rows = mc - i0 < MR ? mc - i0 : MR;
		for (int p = 0; p < kc; p++, out += MR) {
			int r = 0;
			for (; r < rows; r++)
				out[r] = A[(long)(i0 + r) * lda + p];
			for (; r < MR; r++)
				out[r] = 0.0;
		}
	}
}

static void pack_b(int kc, int nc, const double *restrict B, long ldb, double *restrict out)
{
	for (int j0 = 0; j0 < nc; j0 += NR) {
		const int cols = nc - j0 < NR ? nc - j0 : NR;
		for (int p = 0; p < kc; p++, out += NR) {
			const double *b = B + (long)p * ldb + j0;
			int q = 0;
			for (; q < cols; q++)
				out[q] = b[q];
			for (; q < NR; q++)
				out[q] = 0.0;
		}
	}
}
