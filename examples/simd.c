/* simd.c - explicit AVX2/FMA intrinsics with register blocking: a 4x8 block of
 * C lives in eight ymm registers while the whole k loop runs, each step
 * broadcasting 4 elements of A and fusing them with two 4-wide rows of B via
 * _mm256_fmadd_pd. Each 8-column strip of B is first copied into a small
 * contiguous buffer (zero-padded past column n), so the k loop reads B with
 * unit stride whatever n is; row tails (m not a multiple of 4) reuse the kernel
 * with fewer rows and column tails store through a lane mask. Without
 * AVX2+FMA it falls back to a portable i-k-j loop. Single threaded: compare
 * with openmp.c and blocked.c. */
#include <stdlib.h>
#include <string.h>
/* portable i-k-j product: the fallback without AVX2/FMA or without memory */
static void portable(int m, int n, int k, const double *A, const double *B, double *C)
{
	for (int i = 0; i < m; i++) {
		double *c = C + (long)i * n;
		memset(c, 0, (size_t)n * sizeof *c);
		for (int p = 0; p < k; p++) {
			const double a = A[(long)i * k + p];
			for (int j = 0; j < n; j++)
				c[j] += a * B[(long)p * n + j];
		}
	}
}

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>

/* mask with the first w (0..4) lanes set */
static inline __m256i lane_mask(int w)
{
	const __m256i idx = _mm256_setr_epi64x(0, 1, 2, 3);
	return _mm256_cmpgt_epi64(_mm256_set1_epi64x(w), idx);
}

/* C[0:R, 0:w] = A[0:R, 0:k] * Bs[0:k, 0:8]; Bs is the packed strip, R <= 4, w <= 8 */
static inline __attribute__((always_inline)) void
kernel(int R, int w, int n, int k, const double *A, const double *Bs, double *C)
{
	__m256d acc[4][2];
	for (int r = 0; r < 4; r++)
		acc[r][0] = acc[r][1] = _mm256_setzero_pd();
	for (int p = 0; p < k; p++) {
		const __m256d b0 = _mm256_load_pd(Bs + 8 * p);
		const __m256d b1 = _mm256_load_pd(Bs + 8 * p + 4);
		for (int r = 0; r < R; r++) {
			const __m256d a = _mm256_broadcast_sd(A + (long)r * k + p);
			acc[r][0] = _mm256_fmadd_pd(a, b0, acc[r][0]);
			acc[r][1] = _mm256_fmadd_pd(a, b1, acc[r][1]);
		}
	}
	if (w == 8) {
		for (int r = 0; r < R; r++) {
			_mm256_storeu_pd(C + (long)r * n, acc[r][0]);
			_mm256_storeu_pd(C + (long)r * n + 4, acc[r][1]);
		}
	} else {	/* never write past column n */
		const __m256i m0 = lane_mask(w < 4 ? w : 4);
		const __m256i m1 = lane_mask(w > 4 ? w - 4 : 0);
		for (int r = 0; r < R; r++) {
			_mm256_maskstore_pd(C + (long)r * n, m0, acc[r][0]);
			_mm256_maskstore_pd(C + (long)r * n + 4, m1, acc[r][1]);
		}
	}
}

/* C[:, 0:w] = A * B[:, 0:w] for one strip of w <= 8 columns, packed in Bs */
static inline __attribute__((always_inline)) void
col_strip(int w, int m, int n, int k, const double *A, const double *Bs, double *C)
{
	int i = 0;
	for (; i + 4 <= m; i += 4)
		kernel(4, w, n, k, A + (long)i * k, Bs, C + (long)i * n);
	switch (m - i) {	/* constant row counts let the compiler unroll */
	case 3: kernel(3, w, n, k, A + (long)i * k, Bs, C + (long)i * n); break;
	case 2: kernel(2, w, n, k, A + (long)i * k, Bs, C + (long)i * n); break;
	case 1: kernel(1, w, n, k, A + (long)i * k, Bs, C + (long)i * n); break;
	default: break;
	}
}

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	double *Bs = aligned_alloc(32, (size_t)k * 8 * sizeof *Bs);
	if (!Bs) {
		portable(m, n, k, A, B, C);
		return;
	}
	for (int j = 0; j < n; j += 8) {
		const int w = n - j < 8 ? n - j : 8;
		for (int p = 0; p < k; p++)	/* pack the strip, zero-padded */
			for (int c = 0; c < 8; c++)
				Bs[8 * p + c] = c < w ? B[(long)p * n + j + c] : 0.0;
		if (w == 8)
			col_strip(8, m, n, k, A, Bs, C + j);
		else
			col_strip(w, m, n, k, A, Bs, C + j);
	}
	free(Bs);
}
#else /* no AVX2/FMA */

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	portable(m, n, k, A, B, C);
}
#endif
