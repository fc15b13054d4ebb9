
/* The micro-kernel: the h x w tile of C at c (at most MR x NR) gets a * b over kc steps
 * of the depth. The block of C is kept in acc[][] across the whole k loop (in registers,
 * once the compiler has unrolled the loops over it for constant sizes) and written once:
 * stored when first (C's old contents are garbage), added to C otherwise. */
static inline __attribute__((always_inline)) void
micro(int h, int w, int kc, const double *restrict a, long lda, const double *restrict b,
      long ldb, double *restrict c, long ldc, int first)
{
	double acc[MR][NR] = {{0.0}};
@KLOOP@
	for (int r = 0; r < h; r++)
		for (int q = 0; q < w; q++)
			c[r * ldc + q] = first ? acc[r][q] : c[r * ldc + q] + acc[r][q];
}
