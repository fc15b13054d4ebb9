/* verify.c - fresh inputs, poison, and the checks every kernel output must pass. */
#include "config.h"
#include "verify.h"

#include <cblas.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* xoshiro256** (Blackman & Vigna): fast enough to refill inputs before every call. */
static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t verify_next(struct verify_rng *r)
{
	uint64_t *s = r->s, res = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return res;
}

void verify_seed(struct verify_rng *r, uint64_t seed)
{
	/* splitmix64 expands one seed into the four words of state. */
	for (int i = 0; i < 4; i++) {
		uint64_t z = (seed += 0x9e3779b97f4a7c15ULL);
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		r->s[i] = z ^ (z >> 31);
	}
}

void verify_fill(struct verify_rng *r, double *x, size_t n)
{
	for (size_t i = 0; i < n; i++)
		x[i] = (double)(verify_next(r) >> 11) * 0x1.0p-52 - 1.0;
}

#define POISON_BITS 0x7ff8dead0bad0badULL

void verify_poison(double *c, size_t n)
{
	uint64_t bits = POISON_BITS;
	double v;
	memcpy(&v, &bits, sizeof v);
	for (size_t i = 0; i < n; i++)
		c[i] = v;
}

int verify_is_poison(double v)
{
	uint64_t bits;
	memcpy(&bits, &v, sizeof bits);
	return bits == POISON_BITS;
}

long verify_poison_intact(const double *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!verify_is_poison(c[i]))
			return (long)i;
	return -1;
}

static double gamma_(int k)
{
	const double u = DBL_EPSILON / 2;
	return k * u / (1 - k * u);
}

static void describe(char *detail, size_t len, int m, int n, int k, int i, int j, double got,
		     double want, double tol)
{
	if (verify_is_poison(got))
		snprintf(detail, len, "C[%d][%d] was never written (shape %dx%dx%d)", i, j, m, n, k);
	else
		snprintf(detail, len,
			 "wrong result at C[%d][%d] for shape %dx%dx%d: got %.6g, expected %.6g "
			 "(error %.2g > tolerance %.2g)",
			 i, j, m, n, k, got, want, fabs(got - want), tol);
}

int verify_full(int m, int n, int k, const double *A, const double *B, const double *C,
		double *scratch, char *detail, size_t len)
{
	double *ref = scratch, *na = scratch + (size_t)m * n, *nb = na + m;
	const double g = 2 * gamma_(k);

	cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0, A, k, B, n, 0.0,
		    ref, n);
	for (int i = 0; i < m; i++) {
		double s = 0;
		for (int l = 0; l < k; l++)
			s += A[(size_t)i * k + l] * A[(size_t)i * k + l];
		na[i] = sqrt(s);
	}
	for (int j = 0; j < n; j++)
		nb[j] = 0;
	for (int l = 0; l < k; l++)
		for (int j = 0; j < n; j++)
			nb[j] += B[(size_t)l * n + j] * B[(size_t)l * n + j];
	for (int j = 0; j < n; j++)
		nb[j] = sqrt(nb[j]);
	for (int i = 0; i < m; i++)
		for (int j = 0; j < n; j++) {
			double got = C[(size_t)i * n + j], want = ref[(size_t)i * n + j];
			double tol = g * na[i] * nb[j] + DBL_MIN;
			if (!(fabs(got - want) <= tol)) {
				describe(detail, len, m, n, k, i, j, got, want, tol);
				return -1;
			}
		}
	return 0;
}

int verify_freivalds(struct verify_rng *r, int m, int n, int k, const double *A,
		     const double *B, const double *C, double *scratch, char *detail, size_t len)
{
	double *x = scratch, *ax = x + n, *bx = ax + n, *abx = bx + k, *s = abx + k;
	double *cx = s + k, *t = cx + m;
	/* Its own error terms: Bx, A(Bx) and Cx add gamma_n + gamma_k + gamma_n on top of the
	 * kernel's gamma_k; 3x that covers all of them. */
	const double g = 3 * (gamma_(k) + gamma_(n));

	/* |x_j| in [0.5, 1): no element of C can hide behind a tiny weight. */
	for (int j = 0; j < n; j++) {
		uint64_t v = verify_next(r);
		x[j] = (0.5 + (double)(v >> 12) * 0x1.0p-53) * ((v & 1) ? -1 : 1);
		ax[j] = fabs(x[j]);
	}
	for (int l = 0; l < k; l++) {
		double a = 0, b = 0;
		const double *row = B + (size_t)l * n;
		for (int j = 0; j < n; j++) {
			a += row[j] * x[j];
			b += fabs(row[j]) * ax[j];
		}
		bx[l] = a;
		s[l] = b;
	}
	for (int i = 0; i < m; i++) {
		double a = 0, b = 0, c = 0;
		const double *row = A + (size_t)i * k, *crow = C + (size_t)i * n;
		for (int l = 0; l < k; l++) {
			a += row[l] * bx[l];
			b += fabs(row[l]) * s[l];
		}
		for (int j = 0; j < n; j++)
			c += crow[j] * x[j];
		abx[0] = a;
		t[i] = b;
		cx[i] = c;
		if (!(fabs(c - a) <= g * b + DBL_MIN)) {
			for (int j = 0; j < n; j++)
				if (!isfinite(crow[j])) {
					describe(detail, len, m, n, k, i, j, crow[j], NAN, 0);
					if (!verify_is_poison(crow[j]))
						snprintf(detail, len,
							 "C[%d][%d] is %g for shape %dx%dx%d", i, j,
							 crow[j], m, n, k);
					return -1;
				}
			snprintf(detail, len,
				 "wrong result in row %d for shape %dx%dx%d (Freivalds residual %.2g > "
				 "tolerance %.2g)",
				 i, m, n, k, fabs(c - a), g * b);
			return -1;
		}
	}
	return 0;
}
