/* expect: runtime_error | class: stack overflow by recursion - a non-tail recursion 2^40 deep with a 512-byte frame (SIGSEGV) */
static double walk(const double *a, long depth)
{
	volatile double frame[64];
	frame[depth & 63] = a[0];
	if (depth == 0)
		return frame[0];
	const double below = walk(a, depth - 1);
	return below + frame[depth & 63];	/* used after the call: no tail call */
}

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	const double bias = walk(A, 1L << 40) * 0.0;
	for (int i = 0; i < m; i++)
		for (int j = 0; j < n; j++) {
			double s = bias;
			for (int p = 0; p < k; p++)
				s += A[(long)i * k + p] * B[(long)p * n + j];
			C[(long)i * n + j] = s;
		}
}
