/* techniques: simd register_blocking unrolling */
#include <immintrin.h>

static void scalar(int m, int n, int k, int i0, int j0, const double *A, const double *B,
		   double *C)
{
	for (int i = 0; i < m; i++)
		for (int j = (i < i0 ? j0 : 0); j < n; j++) {
			double s = 0;
			for (int p = 0; p < k; p++)
				s += A[i * k + p] * B[p * n + j];
			C[i * n + j] = s;
		}
}

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	int mm = m / 4 * 4, nn = n / 8 * 8;
	for (int i = 0; i < mm; i += 4)
		for (int j = 0; j < nn; j += 8) {
			__m256d c0a = _mm256_setzero_pd(), c0b = _mm256_setzero_pd();
			__m256d c1a = _mm256_setzero_pd(), c1b = _mm256_setzero_pd();
			__m256d c2a = _mm256_setzero_pd(), c2b = _mm256_setzero_pd();
			__m256d c3a = _mm256_setzero_pd(), c3b = _mm256_setzero_pd();
			for (int p = 0; p < k; p++) {
				__m256d b0 = _mm256_loadu_pd(B + p * n + j);
				__m256d b1 = _mm256_loadu_pd(B + p * n + j + 4);
				__m256d a;
				a = _mm256_broadcast_sd(A + i * k + p);
				c0a = _mm256_fmadd_pd(a, b0, c0a);
				c0b = _mm256_fmadd_pd(a, b1, c0b);
				a = _mm256_broadcast_sd(A + (i + 1) * k + p);
				c1a = _mm256_fmadd_pd(a, b0, c1a);
				c1b = _mm256_fmadd_pd(a, b1, c1b);
				a = _mm256_broadcast_sd(A + (i + 2) * k + p);
				c2a = _mm256_fmadd_pd(a, b0, c2a);
				c2b = _mm256_fmadd_pd(a, b1, c2b);
				a = _mm256_broadcast_sd(A + (i + 3) * k + p);
				c3a = _mm256_fmadd_pd(a, b0, c3a);
				c3b = _mm256_fmadd_pd(a, b1, c3b);
			}
			_mm256_storeu_pd(C + i * n + j, c0a);
			_mm256_storeu_pd(C + i * n + j + 4, c0b);
			_mm256_storeu_pd(C + (i + 1) * n + j, c1a);
			_mm256_storeu_pd(C + (i + 1) * n + j + 4, c1b);
			_mm256_storeu_pd(C + (i + 2) * n + j, c2a);
			_mm256_storeu_pd(C + (i + 2) * n + j + 4, c2b);
			_mm256_storeu_pd(C + (i + 3) * n + j, c3a);
			_mm256_storeu_pd(C + (i + 3) * n + j + 4, c3b);
		}
	scalar(m, n, k, mm, nn, A, B, C);
}
