{
	__m256d bv[NV];
	for (int v = 0; v < NV; v++)
		bv[v] = _mm256_loadu_pd(b + @B_ROW@ * ldb + 4 * v);
	for (int r = 0; r < @ROWS@; r++) {
		const __m256d ar = _mm256_broadcast_sd(&@A_AT@);
		for (int v = 0; v < NV; v++)
			acc[r][v] = _mm256_fmadd_pd(ar, bv[v], acc[r][v]);
	}
}
