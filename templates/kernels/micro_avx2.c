
#if defined(__AVX2__) && defined(__FMA__)
/* The micro-kernel with AVX2 and FMA: the MR x NR block of C lives in MR x NV vector
 * accumulators (NV = NR / 4 per row) across the whole k loop; each step loads NV vectors
 * of a row of b, broadcasts one element of a per row of the block and fuses them. */
static inline __attribute__((always_inline)) void
micro_avx2(int h, int w, int kc, const double *restrict a, long lda,
	   const double *restrict b, long ldb, double *restrict c, long ldc, int first)
{
	__m256d acc[MR][NV];
	for (int r = 0; r < MR; r++)
		for (int v = 0; v < NV; v++)
			acc[r][v] = _mm256_setzero_pd();
@KLOOP@
	if (h == MR && w == NR) {
		for (int r = 0; r < MR; r++)
			for (int v = 0; v < NV; v++) {
				double *cv = c + r * ldc + 4 * v;
				_mm256_storeu_pd(cv, first ? acc[r][v]
							   : _mm256_add_pd(acc[r][v], _mm256_loadu_pd(cv)));
			}
	} else { /* an edge tile: only its h x w part lies in C */
		double t[MR][NR];
		for (int r = 0; r < MR; r++)
			for (int v = 0; v < NV; v++)
				_mm256_storeu_pd(&t[r][4 * v], acc[r][v]);
		for (int r = 0; r < h; r++)
			for (int q = 0; q < w; q++)
				c[r * ldc + q] = first ? t[r][q] : c[r * ldc + q] + t[r][q];
	}
}
#endif
