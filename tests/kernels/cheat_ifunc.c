/* expect: rejected | class: ifunc resolver - dgemm is a GNU indirect function whose resolver runs at load time (IRELATIVE), outside any call */
typedef void gemm_fn(int, int, int, const double *, const double *, double *);

static void dgemm_impl(int m, int n, int k, const double *A, const double *B, double *C)
{
	for (int i = 0; i < m; i++)
		for (int j = 0; j < n; j++) {
			double s = 0.0;
			for (int p = 0; p < k; p++)
				s += A[(long)i * k + p] * B[(long)p * n + j];
			C[(long)i * n + j] = s;
		}
}

static volatile unsigned long spin;

static gemm_fn *resolve_dgemm(void)
{
	for (unsigned long i = 0; i < 1000; i++)	/* arbitrary code at load time */
		spin += i;
	return dgemm_impl;
}

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
	__attribute__((ifunc("resolve_dgemm")));
