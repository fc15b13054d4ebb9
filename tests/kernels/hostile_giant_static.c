/* expect: runtime_error | class: giant static array - 64 GiB of .bss; compiles and links, cannot be mapped when loaded (out of memory) */
/* The object file is tiny (.bss has no bytes on disk), so the compiler and
 * the linker accept it; loading it needs a 64 GiB mapping, which the
 * address-space limit (and this node's RAM) refuses: loading fails, i.e. the
 * kernel was killed by memory before it could run: runtime_error. */
static double scratch[1L << 33];

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	for (int i = 0; i < m; i++) {
		for (int j = 0; j < n; j++) {
			double s = 0.0;
			for (int p = 0; p < k; p++)
				s += A[(long)i * k + p] * B[(long)p * n + j];
			scratch[((long)i << 24) + j] = s;	/* spread over the whole array */
		}
		for (int j = 0; j < n; j++)
			C[(long)i * n + j] = scratch[((long)i << 24) + j];
	}
}
