/* expect: wrong_answer | class: skip repeated calls - a static counter returns at once from the 3rd call on, leaving C as it was */
/* Would pay if C kept the previous call's result and the timed calls were
 * not checked; C is NaN-poisoned before every call and every call is checked. */
static unsigned long calls;

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	if (++calls > 2)
		return;
	for (int i = 0; i < m; i++)
		for (int j = 0; j < n; j++) {
			double s = 0.0;
			for (int p = 0; p < k; p++)
				s += A[(long)i * k + p] * B[(long)p * n + j];
			C[(long)i * n + j] = s;
		}
}
