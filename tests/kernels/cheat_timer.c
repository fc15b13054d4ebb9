/* expect: rejected | class: timer replacement - defines clock_gettime and omp_get_wtime (extra external symbols) to slow the clock */
/* The kernel itself is correct. If these interposed on the timer, every
 * interval would look 1000x shorter; the audit must refuse any external symbol
 * but dgemm (and the parent times the call in another process anyway). */
struct timespec;

static long fake_ns;

int clock_gettime(int clk, struct timespec *ts)
{
	(void)clk;
	fake_ns += 1000;	/* time crawls */
	((long *)ts)[0] = fake_ns / 1000000000L;
	((long *)ts)[1] = fake_ns % 1000000000L;
	return 0;
}

double omp_get_wtime(void)
{
	fake_ns += 1000;
	return fake_ns * 1e-9;
}

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	for (int i = 0; i < m; i++)
		for (int j = 0; j < n; j++) {
			double s = 0.0;
			for (int p = 0; p < k; p++)
				s += A[(long)i * k + p] * B[(long)p * n + j];
			C[(long)i * n + j] = s;
		}
}
