/* expect: rejected | class: file writes - fopen("/tmp/perfrl-pwned", "w") from dgemm (stdio.h is not allowed; openat must be refused by seccomp) */
#include <stdio.h>

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	FILE *f = fopen("/tmp/perfrl-pwned", "w");
	if (f) {
		fputs("pwned\n", f);
		fclose(f);
	}
	for (int i = 0; i < m; i++)
		for (int j = 0; j < n; j++) {
			double s = 0.0;
			for (int p = 0; p < k; p++)
				s += A[(long)i * k + p] * B[(long)p * n + j];
			C[(long)i * n + j] = s;
		}
}
