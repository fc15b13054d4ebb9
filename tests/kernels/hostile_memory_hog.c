/* expect: runtime_error | class: memory hog - mallocs 1 GiB chunks up to 64 GiB, touching every page; a NULL from malloc is written through */
/* Under RLIMIT_AS malloc fails after a few GiB and the write through NULL is a
 * SIGSEGV. Without a memory limit this would take the node's RAM and wake the
 * OOM killer: never run it outside the sandbox. */
#include <stdlib.h>

static char *keep[64];
static volatile char sink;

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	const size_t chunk = (size_t)1 << 30;
	for (int c = 0; c < 64; c++) {
		char *p = malloc(chunk);
		keep[c] = p;	/* escapes: the compiler cannot drop it */
		for (size_t off = 0; off < chunk; off += 4096)
			p[off] = (char)off;
		sink = p[chunk - 4096];
	}
	for (int i = 0; i < m; i++)
		for (int j = 0; j < n; j++) {
			double s = 0.0;
			for (int p = 0; p < k; p++)
				s += A[(long)i * k + p] * B[(long)p * n + j];
			C[(long)i * n + j] = s;
		}
}
