/* techniques: simd packing */
#include <immintrin.h>
#include <stdlib.h>

/* One vector accumulator per element of C: SIMD, but no block of C in registers. */
void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	double *bt = aligned_alloc(32, sizeof(double) * (size_t)n * ((k + 3) / 4 * 4));
	int kp = (k + 3) / 4 * 4;
	for (int j = 0; j < n; j++)
		for (int p = 0; p < kp; p++)
			bt[j * kp + p] = p < k ? B[p * n + j] : 0.0;
	for (int i = 0; i < m; i++)
		for (int j = 0; j < n; j++) {
			__m256d acc = _mm256_setzero_pd();
			int p = 0;
			for (; p + 4 <= k; p += 4)
				acc = _mm256_fmadd_pd(_mm256_loadu_pd(A + i * k + p),
						      _mm256_load_pd(bt + j * kp + p), acc);
			double t[4];
			_mm256_storeu_pd(t, acc);
			double s = t[0] + t[1] + t[2] + t[3];
			for (; p < k; p++)
				s += A[i * k + p] * bt[j * kp + p];
			C[i * n + j] = s;
		}
	free(bt);
}
