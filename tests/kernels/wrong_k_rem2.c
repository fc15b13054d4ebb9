/* expect: wrong_answer | class: tail handling - k unrolled by four, and a remainder of two is dropped, so every element is short two products when k % 4 == 2 */
/* The fixed check shapes have k % 4 in {0, 1, 3} only; the random ones give
 * every residue mod 8. */
void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	for (int i = 0; i < m; i++)
		for (int j = 0; j < n; j++) {
			double s = 0;
			int p = 0;
			for (; p + 4 <= k; p += 4)
				s += A[(long)i * k + p] * B[(long)p * n + j] +
				     A[(long)i * k + p + 1] * B[(long)(p + 1) * n + j] +
				     A[(long)i * k + p + 2] * B[(long)(p + 2) * n + j] +
				     A[(long)i * k + p + 3] * B[(long)(p + 3) * n + j];
			if (k - p != 2) /* the bug: the two-element tail is lost */
				for (; p < k; p++)
					s += A[(long)i * k + p] * B[(long)p * n + j];
			C[(long)i * n + j] = s;
		}
}
