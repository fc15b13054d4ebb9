/* techniques: openmp simd cache_blocking register_blocking */
/* GCC vector extension version: tiles of 64x64 of C are handed out with
   collapse(2); inside a tile, 4x4 blocks live in four v4 accumulators. */
typedef double v4 __attribute__((vector_size(4 * sizeof(double))));
typedef double v4u __attribute__((vector_size(4 * sizeof(double)), aligned(sizeof(double))));

#define BLOCK_M 64
#define BLOCK_N 64

void dgemm(int M, int N, int K, const double *A, const double *B, double *C)
{
#pragma omp parallel for collapse(2)
	for (int bm = 0; bm < M; bm += BLOCK_M)
		for (int bn = 0; bn < N; bn += BLOCK_N) {
			int em = bm + BLOCK_M; if (em > M) em = M;
			int en = bn + BLOCK_N; if (en > N) en = N;
			for (int i = bm; i < em; i += 4) {
				int h = em - i; if (h > 4) h = 4;
				int j = bn;
				for (; j + 4 <= en; j += 4) {
					v4 acc[4] = {{0}};
					for (int p = 0; p < K; p++) {
						v4 b = *(const v4u *)&B[(long)p * N + j];
						for (int r = 0; r < h; r++)
							acc[r] += b * A[(long)(i + r) * K + p];
					}
					for (int r = 0; r < h; r++)
						*(v4u *)&C[(long)(i + r) * N + j] = acc[r];
				}
				for (; j < en; j++)
					for (int r = 0; r < h; r++) {
						double s = 0;
						for (int p = 0; p < K; p++)
							s += A[(long)(i + r) * K + p] * B[(long)p * N + j];
						C[(long)(i + r) * N + j] = s;
					}
			}
		}
}
