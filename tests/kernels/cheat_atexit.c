/* expect: rejected | class: code after the run - atexit() (declared by the allowed <stdlib.h>) registers a handler that runs outside any call */
#include <stdlib.h>

static volatile unsigned long calls;

static void at_end(void)
{
	calls = 0;	/* could print a fake report or spin after the run */
}

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	if (calls++ == 0)
		atexit(at_end);
	for (int i = 0; i < m; i++)
		for (int j = 0; j < n; j++) {
			double s = 0.0;
			for (int p = 0; p < k; p++)
				s += A[(long)i * k + p] * B[(long)p * n + j];
			C[(long)i * n + j] = s;
		}
}
