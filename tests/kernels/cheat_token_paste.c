/* expect: rejected | class: token pasting hides a forbidden name - CAT(sys,tem)(...) runs a shell command via the <stdlib.h> runner */
/* The forbidden name never appears whole: a check on the raw source sees
 * only "sys" and "tem". Checking the preprocessed source, or the ELF audit
 * (an undefined symbol that is not allowlisted), must catch it. The command
 * targets /tmp/perfrl-pwned-system, which must never appear. */
#include <stdlib.h>
#define CAT(a, b) a##b

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	CAT(sys, tem)("touch /tmp/perfrl-pwned-system");
	for (int i = 0; i < m; i++)
		for (int j = 0; j < n; j++) {
			double s = 0.0;
			for (int p = 0; p < k; p++)
				s += A[(long)i * k + p] * B[(long)p * n + j];
			C[(long)i * n + j] = s;
		}
}
