
/* One tile of C, h x w of an MR x NR tile inside the matrix. The packed panels are
 * zero-padded, so the vector kernel computes whole tiles and stores only the h x w part;
 * without AVX2 and FMA the scalar kernel does the same. */
static inline __attribute__((always_inline)) void
tile(int h, int w, int kc, const double *restrict a, long lda, const double *restrict b,
     long ldb, double *restrict c, long ldc, int first)
{
#if defined(__AVX2__) && defined(__FMA__)
	micro_avx2(h, w, kc, a, lda, b, ldb, c, ldc, first);
#else
	if (h == MR && w == NR)
		micro(MR, NR, kc, a, lda, b, ldb, c, ldc, first);
	else
		micro(h, w, kc, a, lda, b, ldb, c, ldc, first);
#endif
}
