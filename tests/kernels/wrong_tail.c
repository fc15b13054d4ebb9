/* expect: wrong_answer | class: tail handling - only whole 4x8 blocks are computed, so m%4 rows and n%8 columns keep their garbage */
/* Correct on the square, power-of-two measured shape; 1x1x1, 17x33x65 and
 * 127x1x255 leave the ragged edge of C untouched (NaN-poisoned). */
void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	for (int i = 0; i + 4 <= m; i += 4)
		for (int j = 0; j + 8 <= n; j += 8)
			for (int r = 0; r < 4; r++)
				for (int c = 0; c < 8; c++) {
					double s = 0.0;
					for (int p = 0; p < k; p++)
						s += A[(long)(i + r) * k + p] * B[(long)p * n + j + c];
					C[(long)(i + r) * n + j + c] = s;
				}
}
