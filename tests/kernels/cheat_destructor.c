/* expect: rejected | class: destructor - __attribute__((destructor)) runs code at unload/exit, outside any call */
static unsigned long calls;

__attribute__((destructor)) static void report(void)
{
	volatile unsigned long sink = calls;	/* could print a fake report at exit */
	(void)sink;
}

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	calls++;
	for (int i = 0; i < m; i++)
		for (int j = 0; j < n; j++) {
			double s = 0.0;
			for (int p = 0; p < k; p++)
				s += A[(long)i * k + p] * B[(long)p * n + j];
			C[(long)i * n + j] = s;
		}
}
