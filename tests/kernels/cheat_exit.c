/* expect: rejected | class: exit inside the call - exit(0) from <stdlib.h> (an allowed header) right after the first check call */
#include <stdlib.h>

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	static int calls;
	for (int i = 0; i < m; i++)
		for (int j = 0; j < n; j++) {
			double s = 0.0;
			for (int p = 0; p < k; p++)
				s += A[(long)i * k + p] * B[(long)p * n + j];
			C[(long)i * n + j] = s;
		}
	if (++calls > 1)
		exit(0);	/* "finished early, all good" */
}
