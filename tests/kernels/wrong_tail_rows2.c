/* expect: wrong_answer | class: tail handling - rows go four at a time and a remainder of two rows is taken for one, so the last row of C is never written when m % 4 == 2 */
/* The fixed check shapes have m % 4 in {0, 1, 3} only; the random ones give
 * every residue mod 8. */
static void row(int i, int n, int k, const double *A, const double *B, double *C)
{
	for (int j = 0; j < n; j++) {
		double s = 0;
		for (int p = 0; p < k; p++)
			s += A[(long)i * k + p] * B[(long)p * n + j];
		C[(long)i * n + j] = s;
	}
}

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	int i = 0, rest;
	for (; i + 4 <= m; i += 4)
		for (int r = 0; r < 4; r++)
			row(i + r, n, k, A, B, C);
	rest = m - i;
	if (rest == 2) /* the bug: "one or three left over" */
		rest = 1;
	for (int r = 0; r < rest; r++)
		row(i + r, n, k, A, B, C);
}
