/* expect: rejected | class: an undefined _ZGV name that libmvec does not export used to pass the audit by prefix and fail only at load time */
/* _ZGVbN2v_notreal looks like a libmvec vector variant but is none. */
extern void _ZGVbN2v_notreal(void);

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	if (m < 0)
		_ZGVbN2v_notreal();
	for (int i = 0; i < m; i++)
		for (int j = 0; j < n; j++) {
			double s = 0.0;
			for (int p = 0; p < k; p++)
				s += A[(long)i * k + p] * B[(long)p * n + j];
			C[(long)i * n + j] = s;
		}
}
