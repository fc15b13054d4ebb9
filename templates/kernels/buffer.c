
/* A packing buffer kept from one call to the next (dgemm is not called re-entrantly):
 * a fresh multi-megabyte allocation per call would pay for fresh pages every time. */
struct buffer {
	double *p;
	size_t cap; /* doubles */
};

static double *reserve(struct buffer *b, size_t count)
{
	if (count > b->cap) {
		free(b->p);
		b->p = aligned_alloc(64, (count * sizeof(double) + 63) / 64 * 64);
		b->cap = b->p ? count : 0;
	}
	return b->p;
}

/* The plain i-j-k product: used only when the packing buffers cannot be had. */
static void fallback(int m, int n, int k, const double *A, const double *B, double *C)
{
	for (int i = 0; i < m; i++)
		for (int j = 0; j < n; j++) {
			double s = 0.0;
			for (int p = 0; p < k; p++)
				s += A[(long)i * k + p] * B[(long)p * n + j];
			C[(long)i * n + j] = s;
		}
}
