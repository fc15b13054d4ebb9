/* techniques: simd register_blocking packing unrolling prefetch */
#include <immintrin.h>
#include <stdlib.h>
#include <string.h>

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	int n8 = (n + 7) / 8 * 8;
	double *bp = aligned_alloc(64, sizeof(double) * (size_t)k * n8);
	for (int p = 0; p < k; p++) {
		memcpy(bp + p * n8, B + p * n, sizeof(double) * n);
		for (int j = n; j < n8; j++)
			bp[p * n8 + j] = 0.0;
	}
	for (int i = 0; i < m; i += 2) {
		int two = i + 1 < m;
		for (int j = 0; j < n8; j += 8) {
			__m512d r0 = _mm512_setzero_pd(), r1 = _mm512_setzero_pd();
			for (int p = 0; p < k; p++) {
				_mm_prefetch((const char *)(bp + (p + 4) * n8 + j), _MM_HINT_T0);
				__m512d b = _mm512_load_pd(bp + p * n8 + j);
				r0 = _mm512_fmadd_pd(_mm512_set1_pd(A[i * k + p]), b, r0);
				r1 = _mm512_fmadd_pd(_mm512_set1_pd(two ? A[(i + 1) * k + p] : 0.0), b, r1);
			}
			__mmask8 mask = (__mmask8)(n - j >= 8 ? 0xff : (1u << (n - j)) - 1);
			_mm512_mask_storeu_pd(C + i * n + j, mask, r0);
			if (two)
				_mm512_mask_storeu_pd(C + (i + 1) * n + j, mask, r1);
		}
	}
	free(bp);
}
