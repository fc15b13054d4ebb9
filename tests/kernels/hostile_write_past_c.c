/* expect: runtime_error | class: writes outside C - correct C, then 512 KiB of zeros past its end (the spare page after C is checked, the page after the mapping faults: runtime_error either way) */
/* Beyond C lies whatever the harness put there; without a guard page this
 * corrupts harness memory silently. */
void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	for (int i = 0; i < m; i++)
		for (int j = 0; j < n; j++) {
			double s = 0.0;
			for (int p = 0; p < k; p++)
				s += A[(long)i * k + p] * B[(long)p * n + j];
			C[(long)i * n + j] = s;
		}
	volatile double *past = C + (long)m * n;
	for (long i = 0; i < (1L << 16); i++)
		past[i] = 0.0;
}
