/* expect: timeout | class: infinite loop inside dgemm - spins on a CPU forever (RLIMIT_CPU or the wall clock must end it; either is a timeout) */
static volatile int spin = 1;

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	while (spin)
		;
	for (int i = 0; i < m; i++)
		for (int j = 0; j < n; j++) {
			double s = 0.0;
			for (int p = 0; p < k; p++)
				s += A[(long)i * k + p] * B[(long)p * n + j];
			C[(long)i * n + j] = s;
		}
}
