/* expect: runtime_error | class: modifying inputs - transposes B in place through a cast (A and B are mapped read-only: SIGSEGV) */
/* Even if the writes were allowed, B would come back altered for square
 * shapes only after the second transpose, and any check of "A and B unchanged"
 * must catch the non-square case. */
void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	double *Bw = (double *)B;
	if (n == k)	/* square B: transpose in place for unit-stride dot products */
		for (int p = 0; p < k; p++)
			for (int j = p + 1; j < n; j++) {
				double t = Bw[(long)p * n + j];
				Bw[(long)p * n + j] = Bw[(long)j * n + p];
				Bw[(long)j * n + p] = t;
			}
	else
		((volatile double *)Bw)[0] = B[0];	/* a "harmless" write */
	for (int i = 0; i < m; i++)
		for (int j = 0; j < n; j++) {
			double s = 0.0;
			for (int p = 0; p < k; p++)
				s += A[(long)i * k + p] *
				     (n == k ? Bw[(long)j * n + p] : B[(long)p * n + j]);
			C[(long)i * n + j] = s;
		}
	if (n == k)	/* transpose back */
		for (int p = 0; p < k; p++)
			for (int j = p + 1; j < n; j++) {
				double t = Bw[(long)p * n + j];
				Bw[(long)p * n + j] = Bw[(long)j * n + p];
				Bw[(long)j * n + p] = t;
			}
}
