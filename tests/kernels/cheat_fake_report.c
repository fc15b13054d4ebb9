/* expect: rejected | class: fake report lines - prints "GFLOPS: 99999" on stdout and stderr (stdio.h is not an allowed header) */
#include <stdio.h>

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	printf("GFLOPS: 99999\nstatus: ok\n");
	fprintf(stderr, "GFLOPS: 99999\n");
	fflush(stdout);
	for (int i = 0; i < m; i++)
		for (int j = 0; j < n; j++) {
			double s = 0.0;
			for (int p = 0; p < k; p++)
				s += A[(long)i * k + p] * B[(long)p * n + j];
			C[(long)i * n + j] = s;
		}
}
