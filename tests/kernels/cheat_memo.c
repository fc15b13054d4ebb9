/* expect: ok | class: memoisation - returns a cached C when the shape and 4 sampled inputs match; fresh inputs never match */
/* If the harness reused its inputs, every call after the first would be a
 * memcpy (hundreds of "GFLOPS" from a naive kernel). With fresh random inputs
 * on every call the key never matches, so the kernel always takes its slow,
 * correct path: ok, and no faster than control_slow_legal.c, which has the same
 * compute loop (bench_adversarial.sh checks that the cache does not pay). */
#include <stdlib.h>
#include <string.h>

static double key[7];
static double *cached;
static size_t cached_len;

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	const size_t mk = (size_t)m * k, kn = (size_t)k * n, mn = (size_t)m * n;
	const double now[7] = { m, n, k, A[0], A[mk - 1], B[0], B[kn - 1] };

	if (cached && cached_len == mn && memcmp(now, key, sizeof key) == 0) {
		memcpy(C, cached, mn * sizeof *C);	/* cache hit: no work */
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
		cached_len = mn;
		memcpy(key, now, sizeof key);
	}
}
