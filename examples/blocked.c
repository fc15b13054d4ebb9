/* blocked.c - the GotoBLAS/BLIS recipe in one file: the matrices are cut into
 * cache-sized blocks (KC x NC of B kept in L3, MC x KC of A in L2, one KC x NR
 * micro-panel of B in L1), both blocks are packed into contiguous, zero-padded
 * panels, and a register-blocked micro-kernel computes an MR x NR tile of C
 * entirely in vector registers with fused multiply-adds (6x16 with AVX-512,
 * 6x8 with AVX2/FMA, 4x4 portable C otherwise). OpenMP shares out the packing
 * of B and the row blocks of C; each thread packs its own block of A. Edge
 * tiles are computed into a scratch tile and only their valid part is copied,
 * so every m, n, k >= 1 is handled. The packing buffers are kept between
 * calls (static, internal linkage), so repeated calls do not pay for fresh
 * mappings. */
#include <stdlib.h>
#include <string.h>
#include <immintrin.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#if defined(__AVX512F__)
#define MR 6
#define NR 16
#elif defined(__AVX2__) && defined(__FMA__)
#define MR 6
#define NR 8
#else
#define MR 4
#define NR 4
#endif

#define KC 256		/* depth of a block: a KC x NR panel of B fits L1 */
#define MC_MAX 144	/* rows of A per block: MC x KC fits L2 (multiple of MR) */
#define NC 3072		/* columns of B per block: KC x NC fits L3 (multiple of NR) */

/* c[MR x NR] (row stride ldc) = or += a-panel (kc x MR) * b-panel (kc x NR) */
static inline void micro(int kc, const double *restrict a, const double *restrict b,
			 double *restrict c, long ldc, int first)
{
#if defined(__AVX512F__)
	__m512d acc[MR][2];
	for (int r = 0; r < MR; r++)
		acc[r][0] = acc[r][1] = _mm512_setzero_pd();
	for (int p = 0; p < kc; p++, a += MR, b += NR) {
		const __m512d b0 = _mm512_load_pd(b), b1 = _mm512_load_pd(b + 8);
		for (int r = 0; r < MR; r++) {
			const __m512d ar = _mm512_set1_pd(a[r]);
			acc[r][0] = _mm512_fmadd_pd(ar, b0, acc[r][0]);
			acc[r][1] = _mm512_fmadd_pd(ar, b1, acc[r][1]);
		}
	}
	for (int r = 0; r < MR; r++) {
		double *cr = c + r * ldc;
		if (!first) {
			acc[r][0] = _mm512_add_pd(acc[r][0], _mm512_loadu_pd(cr));
			acc[r][1] = _mm512_add_pd(acc[r][1], _mm512_loadu_pd(cr + 8));
		}
		_mm512_storeu_pd(cr, acc[r][0]);
		_mm512_storeu_pd(cr + 8, acc[r][1]);
	}
#elif defined(__AVX2__) && defined(__FMA__)
	__m256d acc[MR][2];
	for (int r = 0; r < MR; r++)
		acc[r][0] = acc[r][1] = _mm256_setzero_pd();
	for (int p = 0; p < kc; p++, a += MR, b += NR) {
		const __m256d b0 = _mm256_load_pd(b), b1 = _mm256_load_pd(b + 4);
		for (int r = 0; r < MR; r++) {
			const __m256d ar = _mm256_broadcast_sd(a + r);
			acc[r][0] = _mm256_fmadd_pd(ar, b0, acc[r][0]);
			acc[r][1] = _mm256_fmadd_pd(ar, b1, acc[r][1]);
		}
	}
	for (int r = 0; r < MR; r++) {
		double *cr = c + r * ldc;
		if (!first) {
			acc[r][0] = _mm256_add_pd(acc[r][0], _mm256_loadu_pd(cr));
			acc[r][1] = _mm256_add_pd(acc[r][1], _mm256_loadu_pd(cr + 4));
		}
		_mm256_storeu_pd(cr, acc[r][0]);
		_mm256_storeu_pd(cr + 4, acc[r][1]);
	}
#else
	double acc[MR][NR] = {{0}};
	for (int p = 0; p < kc; p++, a += MR, b += NR)
		for (int r = 0; r < MR; r++)
			for (int j = 0; j < NR; j++)
				acc[r][j] += a[r] * b[j];
	for (int r = 0; r < MR; r++)
		for (int j = 0; j < NR; j++)
			c[r * ldc + j] = first ? acc[r][j] : c[r * ldc + j] + acc[r][j];
#endif
}

/* pack A[0:mc, 0:kc] (row stride lda) into MR-row panels, p-major, zero-padded */
static void pack_a(int mc, int kc, const double *A, long lda, double *restrict out)
{
	for (int i0 = 0; i0 < mc; i0 += MR) {
		const int rows = mc - i0 < MR ? mc - i0 : MR;
		for (int p = 0; p < kc; p++, out += MR) {
			int r = 0;
			for (; r < rows; r++)
				out[r] = A[(i0 + r) * lda + p];
			for (; r < MR; r++)
				out[r] = 0.0;
		}
	}
}

/* pack one NR-column panel B[0:kc, 0:cols] (row stride ldb), zero-padded */
static void pack_b_panel(int cols, int kc, const double *B, long ldb, double *restrict out)
{
	for (int p = 0; p < kc; p++, out += NR) {
		const double *b = B + p * ldb;
		if (cols == NR) {
			memcpy(out, b, NR * sizeof *out);
		} else {
			int j = 0;
			for (; j < cols; j++)
				out[j] = b[j];
			for (; j < NR; j++)
				out[j] = 0.0;
		}
	}
}

/* A buffer kept from one call to the next: a fresh multi-megabyte allocation
 * per call would be a fresh mmap, page faults and an munmap every time. */
struct buffer {
	double *p;
	size_t cap;	/* doubles */
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

/* plain i-k-j product: used only if the packing buffers cannot be had */
static void fallback(int m, int n, int k, const double *restrict A,
		     const double *restrict B, double *restrict C)
{
	for (int i = 0; i < m; i++) {
		double *restrict c = C + (long)i * n;
		memset(c, 0, (size_t)n * sizeof *c);
		for (int p = 0; p < k; p++)
			for (int j = 0; j < n; j++)
				c[j] += A[(long)i * k + p] * B[(long)p * n + j];
	}
}

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	int nth = 1;
#ifdef _OPENMP
	nth = omp_get_max_threads();
	if (nth < 1)
		nth = 1;
#endif
	/* row blocks: a multiple of the thread count, each at most MC_MAX rows */
	int nblk = (m + MC_MAX - 1) / MC_MAX;
	nblk = (nblk + nth - 1) / nth * nth;
	int mc = (m + nblk - 1) / nblk;
	mc = (mc + MR - 1) / MR * MR;
	nblk = (m + mc - 1) / mc;

	const int kcmax = k < KC ? k : KC;
	const int ncmax = n < NC ? n : NC;
	const size_t bpanels = (size_t)(ncmax + NR - 1) / NR;
	static struct buffer bbuf, abuf;	/* dgemm is not called re-entrantly */
	double *Bp = reserve(&bbuf, bpanels * NR * kcmax);
	double *Ap = reserve(&abuf, (size_t)nth * mc * kcmax);
	if (!Bp || !Ap) {
		fallback(m, n, k, A, B, C);
		return;
	}

#pragma omp parallel num_threads(nth)
	{
		int tid = 0;
#ifdef _OPENMP
		tid = omp_get_thread_num();
#endif
		double *myA = Ap + (size_t)tid * mc * kcmax;
		_Alignas(64) double tile[MR * NR];

		for (int jc = 0; jc < n; jc += NC) {
			const int nc = n - jc < NC ? n - jc : NC;
			const int npan = (nc + NR - 1) / NR;
			for (int pc = 0; pc < k; pc += KC) {
				const int kc = k - pc < KC ? k - pc : KC;
				const int first = pc == 0;

#pragma omp for schedule(static)
				for (int jp = 0; jp < npan; jp++) {
					const int j0 = jp * NR;
					const int cols = nc - j0 < NR ? nc - j0 : NR;
					pack_b_panel(cols, kc, B + (long)pc * n + jc + j0, n,
						     Bp + (size_t)jp * NR * kc);
				}	/* implicit barrier: Bp is complete */

#pragma omp for schedule(static)
				for (int blk = 0; blk < nblk; blk++) {
					const int ic = blk * mc;
					const int mcc = m - ic < mc ? m - ic : mc;
					pack_a(mcc, kc, A + (long)ic * k + pc, k, myA);
					for (int jp = 0; jp < npan; jp++) {
						const int j0 = jp * NR;
						const int cols = nc - j0 < NR ? nc - j0 : NR;
						const double *bp = Bp + (size_t)jp * NR * kc;
						for (int i0 = 0; i0 < mcc; i0 += MR) {
							const int rows = mcc - i0 < MR ? mcc - i0 : MR;
							const double *ap = myA + (size_t)i0 * kc;
							double *c = C + (long)(ic + i0) * n + jc + j0;
							if (rows == MR && cols == NR) {
								micro(kc, ap, bp, c, n, first);
							} else {
								micro(kc, ap, bp, tile, NR, 1);
								for (int r = 0; r < rows; r++)
									for (int j = 0; j < cols; j++)
										c[(long)r * n + j] = first
											? tile[r * NR + j]
											: c[(long)r * n + j] + tile[r * NR + j];
							}
						}
					}
				}	/* implicit barrier: done with Bp before it is refilled */
			}
		}
	}
}
