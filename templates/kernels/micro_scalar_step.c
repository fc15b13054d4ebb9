for (int r = 0; r < @ROWS@; r++) {
	const double ar = @A_AT@;
@SIMD@	for (int q = 0; q < @COLS@; q++)
		acc[r][q] += ar * b[@B_ROW@ * ldb + q];
}
