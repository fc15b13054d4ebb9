
/* One tile of C, h x w of an MR x NR tile inside the matrix: whole tiles get constant
 * sizes, so that the micro-kernel's loops are unrolled and its accumulators kept in
 * registers; edge tiles get their true size. */
static inline __attribute__((always_inline)) void
tile(int h, int w, int kc, const double *restrict a, long lda, const double *restrict b,
     long ldb, double *restrict c, long ldc, int first)
{
	if (h == MR && w == NR)
		micro(MR, NR, kc, a, lda, b, ldb, c, ldc, first);
	else
		micro(h, w, kc, a, lda, b, ldb, c, ldc, first);
}
