/* expect: rejected | class: line splice hides a forbidden name - a backslash-newline inside the shell runner of <stdlib.h> (translation phase 2) */
/* A line-by-line text check sees "sys\" and "tem(": the compiler sees the
 * whole name. The command targets /tmp/perfrl-pwned-splice, which must never
 * appear. */
#include <stdlib.h>

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	sys\
tem("touch /tmp/perfrl-pwned-splice");
	for (int i = 0; i < m; i++)
		for (int j = 0; j < n; j++) {
			double s = 0.0;
			for (int p = 0; p < k; p++)
				s += A[(long)i * k + p] * B[(long)p * n + j];
			C[(long)i * n + j] = s;
		}
}
