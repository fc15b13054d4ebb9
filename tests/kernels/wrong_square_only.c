/* expect: wrong_answer | class: square-only - uses n as the row stride of A (as if m == n == k); right on square shapes only */
/* On the harness shapes every read stays inside A (for 17x33x65 the largest
 * index is 16*33+64 < 17*65), so the result is wrong, not a crash. */
void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	for (int i = 0; i < m; i++)
		for (int j = 0; j < n; j++) {
			double s = 0.0;
			for (int p = 0; p < k; p++)
				s += A[(long)i * n + p] * B[(long)p * n + j];
			C[(long)i * n + j] = s;
		}
}
