#if defined(__AVX2__) && defined(__FMA__)
const __m256d av = _mm256_set1_pd(a);
const int jv = @JV@;
for (int j = @J0@; j < jv; j += @VSTEP@) {
@VBODY@}
for (int j = jv; j < @J1@; j++)
	c[j] += a * @B_J@;
#else
@SCALAR@
#endif
