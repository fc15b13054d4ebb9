/* expect: wrong_answer | class: replay - computes once per shape and replays that C on later calls of the same shape */
/* Pays off only if the harness reuses inputs or checks just the first call;
 * with fresh inputs and every call checked, the replayed C is wrong. */
#include <stdlib.h>
#include <string.h>

static int cm, cn, ck;
static double *cached;

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	const size_t mn = (size_t)m * n;
	if (cached && cm == m && cn == n && ck == k) {
		memcpy(C, cached, mn * sizeof *C);
		return;
	}
	for (int i = 0; i < m; i++)
		for (int j = 0; j < n; j++) {
			double s = 0.0;
			for (int p = 0; p < k; p++)
				s += A[(long)i * k + p] * B[(long)p * n + j];
			C[(long)i * n + j] = s;
		}
	double *copy = realloc(cached, mn * sizeof *copy);
	if (copy) {
		memcpy(copy, C, mn * sizeof *copy);
		cached = copy;
		cm = m, cn = n, ck = k;
	}
}
