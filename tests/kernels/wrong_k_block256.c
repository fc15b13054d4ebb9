/* expect: wrong_answer | class: tail handling - k in 256-deep blocks, and a block after the first drops its last k % 4 products, so any k past 256 that is not a multiple of 4 is wrong */
/* The fixed check shapes stop at k = 255, inside the first block; the random
 * ones always include a k past 256 with k odd. */
void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	for (long e = 0; e < (long)m * n; e++)
		C[e] = 0;
	for (int kb = 0; kb < k; kb += 256) {
		int ke = kb + 256 < k ? kb + 256 : k;
		if (kb > 0) /* the bug: the "vector" remainder of a later block */
			ke = kb + ((ke - kb) & ~3);
		for (int i = 0; i < m; i++)
			for (int p = kb; p < ke; p++) {
				double a = A[(long)i * k + p];
				for (int j = 0; j < n; j++)
					C[(long)i * n + j] += a * B[(long)p * n + j];
			}
	}
}
