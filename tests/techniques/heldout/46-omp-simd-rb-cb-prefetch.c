/* techniques: openmp simd cache_blocking register_blocking prefetch */
#include <immintrin.h>
#include <stddef.h>

#define KBLK 256
#define RB 4
#define PF_DIST 8

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	const int nv = n & ~3;

#pragma omp parallel for schedule(static)
	for (int i = 0; i < m; i += RB) {
		const int rows = m - i < RB ? m - i : RB;
		for (int kb = 0; kb < k; kb += KBLK) {
			const int ke = kb + KBLK < k ? kb + KBLK : k;
			for (int j = 0; j < nv; j += 4) {
				__m256d acc[RB];
				for (int r = 0; r < RB; r++)
					acc[r] = (r < rows && kb > 0)
						? _mm256_loadu_pd(C + (size_t)(i + r) * n + j)
						: _mm256_setzero_pd();
				for (int p = kb; p < ke; p++) {
					if (p + PF_DIST < ke)
						__builtin_prefetch(B + (size_t)(p + PF_DIST) * n + j);
					const __m256d bv = _mm256_loadu_pd(B + (size_t)p * n + j);
					for (int r = 0; r < rows; r++)
						acc[r] = _mm256_fmadd_pd(_mm256_broadcast_sd(A + (size_t)(i + r) * k + p), bv, acc[r]);
				}
				for (int r = 0; r < rows; r++)
					_mm256_storeu_pd(C + (size_t)(i + r) * n + j, acc[r]);
			}
			for (int r = 0; r < rows; r++)
				for (int j = nv; j < n; j++) {
					double s = kb > 0 ? C[(size_t)(i + r) * n + j] : 0.0;
					for (int p = kb; p < ke; p++)
						s += A[(size_t)(i + r) * k + p] * B[(size_t)p * n + j];
					C[(size_t)(i + r) * n + j] = s;
				}
		}
	}
}
