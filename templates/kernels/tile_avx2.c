
/* One tile of C, h x w of an MR x NR tile inside the matrix. The vector kernel loads
 * whole rows of NR columns of B, so a tile cut by the right edge of C (w < NR) takes the
 * scalar kernel; constant sizes let the compiler unroll the loops over the tile. */
static inline __attribute__((always_inline)) void
tile(int h, int w, int kc, const double *restrict a, long lda, const double *restrict b,
     long ldb, double *restrict c, long ldc, int first)
{
#if defined(__AVX2__) && defined(__FMA__)
	if (w == NR) {
		if (h == MR)
			micro_avx2(MR, NR, kc, a, lda, b, ldb, c, ldc, first);
		else
			micro_avx2(h, NR, kc, a, lda, b, ldb, c, ldc, first);
		return;
	}
#endif
	if (h == MR && w == NR)
		micro(MR, NR, kc, a, lda, b, ldb, c, ldc, first);
	else
		micro(h, w, kc, a, lda, b, ldb, c, ldc, first);
}
