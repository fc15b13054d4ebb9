/* verify.c - fresh inputs, poison, and the checks every kernel output must pass. */
#include "config.h"
#include "verify.h"
#include "util.h"

#include <cblas.h>
#include <float.h>
#include <math.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

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
	for (int i = 0; i < 4; i++)
		r->s[i] = util_splitmix64(&seed);
}

/* ---- the secret generator ------------------------------------------------------------ */

static int csprng_refill(struct verify_csprng *g)
{
	static const unsigned char zeros[sizeof g->buf];
	int len = 0;
	if (EVP_EncryptUpdate(g->ctx, g->buf, &len, zeros, (int)sizeof zeros) != 1 ||
	    len != (int)sizeof g->buf)
		return -1;
	g->pos = 0;
	return 0;
}

int verify_csprng_init(struct verify_csprng *g, const uint64_t *seed)
{
	/* ChaCha20's IV is a 32-bit block counter and a 96-bit nonce: all zero is fine for a
	 * key used once. */
	unsigned char key[32], iv[16] = {0};
	int rc = -1;

	memset(g, 0, sizeof *g);
	if (seed) {
		unsigned char in[24] = "perfrl-inputs:";
		unsigned int len = 0;
		memcpy(in + 16, seed, sizeof *seed);
		if (EVP_Digest(in, sizeof in, key, &len, EVP_sha256(), NULL) != 1 || len != sizeof key)
			goto out;
	} else {
		size_t got = 0;
		while (got < sizeof key) {
			ssize_t r = getrandom(key + got, sizeof key - got, 0);
			if (r <= 0)
				goto out;
			got += (size_t)r;
		}
	}
	g->ctx = EVP_CIPHER_CTX_new();
	if (g->ctx && EVP_EncryptInit_ex(g->ctx, EVP_chacha20(), NULL, key, iv) == 1 &&
	    csprng_refill(g) == 0)
		rc = 0;
out:
	OPENSSL_cleanse(key, sizeof key);
	if (rc != 0)
		verify_csprng_free(g);
	return rc;
}

uint64_t verify_csprng_u64(struct verify_csprng *g)
{
	uint64_t v;
	if (g->pos + sizeof v > sizeof g->buf && csprng_refill(g) != 0)
		abort(); /* a cipher that worked at init does not fail on memory it already has */
	memcpy(&v, g->buf + g->pos, sizeof v);
	/* What was handed out is not kept. */
	memset(g->buf + g->pos, 0, sizeof v);
	g->pos += sizeof v;
	return v;
}

uint64_t verify_csprng_below(struct verify_csprng *g, uint64_t n)
{
	uint64_t limit = UINT64_MAX - UINT64_MAX % n, v;
	do
		v = verify_csprng_u64(g);
	while (v >= limit);
	return v % n;
}

void verify_csprng_free(struct verify_csprng *g)
{
	if (g->ctx)
		EVP_CIPHER_CTX_free(g->ctx);
	OPENSSL_cleanse(g->buf, sizeof g->buf);
	g->ctx = NULL;
	g->pos = sizeof g->buf;
}

/* ---- inputs ---------------------------------------------------------------------------- */

/*
 * Inputs come from four interleaved xoshiro256+ streams, seeded from the main generator, and
 * are made doubles by bits (52 random mantissa bits into [1, 2), then shifted to [-1, 1)):
 * no multiply and no int-to-double conversion, so the loop vectorises and refilling A and B
 * before every call stays far cheaper than the call.
 */
typedef uint64_t v4u64 __attribute__((vector_size(32)));
typedef double v4f64 __attribute__((vector_size(32)));

void verify_fill(struct verify_rng *r, double *x, size_t n)
{
	v4u64 s0, s1, s2, s3;
	size_t i = 0;
	for (int l = 0; l < 4; l++) {
		s0[l] = verify_next(r) | 1;
		s1[l] = verify_next(r);
		s2[l] = verify_next(r);
		s3[l] = verify_next(r);
	}
	for (; i + 4 <= n; i += 4) {
		v4u64 res = s0 + s3, t = s1 << 17;
		v4f64 d;
		s2 ^= s0;
		s3 ^= s1;
		s1 ^= s2;
		s0 ^= s3;
		s2 ^= t;
		s3 = (s3 << 45) | (s3 >> 19);
		d = (v4f64)((res >> 12) | 0x3ff0000000000000ULL);
		d = 2 * d - 3;
		memcpy(x + i, &d, sizeof d);
	}
	for (; i < n; i++)
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

/* A dot product with four vector accumulators: the compiler may not reassociate a plain
 * floating-point sum, and a single chain is latency-bound. */
static double dot(const double *a, const double *b, size_t n)
{
	v4f64 acc[4] = {{0}, {0}, {0}, {0}};
	double s = 0;
	size_t i = 0;
	for (; i + 16 <= n; i += 16)
		for (int u = 0; u < 4; u++) {
			v4f64 va, vb;
			memcpy(&va, a + i + 4 * u, sizeof va);
			memcpy(&vb, b + i + 4 * u, sizeof vb);
			acc[u] += va * vb;
		}
	for (int u = 1; u < 4; u++)
		acc[0] += acc[u];
	for (; i < n; i++)
		s += a[i] * b[i];
	return s + acc[0][0] + acc[0][1] + acc[0][2] + acc[0][3];
}

/*
 * Rows in parallel. Between calls the kernel is stopped and its cores are idle, so the
 * parent spreads the O(n^2) work of fresh inputs and checks over them. Threads are made
 * per phase and joined, never left spinning: a spinning parent thread would steal a core
 * from the next timed call.
 */
static int verify_nthreads = 1;

void verify_set_threads(int n)
{
	verify_nthreads = n < 1 ? 1 : n > 64 ? 64 : n;
}

struct rows_job {
	void (*fn)(void *arg, int lo, int hi);
	void *arg;
	int lo, hi;
};

static void *rows_thread(void *p)
{
	struct rows_job *j = p;
	j->fn(j->arg, j->lo, j->hi);
	return NULL;
}

static void par_rows(int nrows, void (*fn)(void *arg, int lo, int hi), void *arg)
{
	int t = verify_nthreads;
	pthread_t tid[64];
	struct rows_job job[64] = {{0}};
	int started[64] = {0};
	/* Small matrices are not worth a thread. */
	if (t > 1 && (long)nrows < 64)
		t = 1;
	for (int i = 0; i < t; i++) {
		job[i] = (struct rows_job){fn, arg, (int)((long)nrows * i / t), (int)((long)nrows * (i + 1) / t)};
		if (i > 0)
			started[i] = pthread_create(&tid[i], NULL, rows_thread, &job[i]) == 0;
	}
	for (int i = 1; i < t; i++)
		if (!started[i])
			fn(arg, job[i].lo, job[i].hi); /* no thread to be had: do it here */
	fn(arg, job[0].lo, job[0].hi);
	for (int i = 1; i < t; i++)
		if (started[i])
			pthread_join(tid[i], NULL);
}

struct inputs_job {
	uint64_t seed;
	int m, n, k;
	double *A, *B, *x, *bx, *abx;
};

/* Each row its own stream, from the call's seed and the row's index: the split between
 * threads changes nothing about the numbers. */
static void row_rng(struct verify_rng *r, uint64_t seed, uint64_t row)
{
	verify_seed(r, seed ^ (row * 0x9e3779b97f4a7c15ULL));
}

static void gen_b_rows(void *p, int lo, int hi)
{
	struct inputs_job *j = p;
	for (int l = lo; l < hi; l++) {
		struct verify_rng r;
		double *row = j->B + (size_t)l * j->n;
		row_rng(&r, j->seed, (uint64_t)l);
		verify_fill(&r, row, (size_t)j->n);
		j->bx[l] = dot(row, j->x, (size_t)j->n);
	}
}

static void gen_a_rows(void *p, int lo, int hi)
{
	struct inputs_job *j = p;
	for (int i = lo; i < hi; i++) {
		struct verify_rng r;
		double *row = j->A + (size_t)i * j->k;
		row_rng(&r, j->seed, (uint64_t)j->k + (uint64_t)i);
		verify_fill(&r, row, (size_t)j->k);
		j->abx[i] = dot(row, j->bx, (size_t)j->k);
	}
}

void verify_inputs(uint64_t fill_seed, struct verify_csprng *secret, int m, int n, int k,
		   double *A, double *B, double *x, double *bx, double *abx)
{
	struct inputs_job j = {fill_seed, m, n, k, A, B, x, bx, abx};
	/* |x_j| in [0.5, 1): no element of C can hide behind a tiny weight. */
	for (int c = 0; c < n; c++) {
		uint64_t v = verify_csprng_u64(secret);
		x[c] = (0.5 + (double)(v >> 12) * 0x1.0p-53) * ((v & 1) ? -1 : 1);
	}
	/* Each row is projected while it is still in cache, so the check costs no extra pass
	 * over A or B; B x must be whole before A (B x) can start. */
	par_rows(k, gen_b_rows, &j);
	par_rows(m, gen_a_rows, &j);
}

struct cx_job {
	int n;
	const double *C, *x;
	double *cx;
};

static void cx_rows(void *p, int lo, int hi)
{
	struct cx_job *j = p;
	for (int i = lo; i < hi; i++)
		j->cx[i] = dot(j->C + (size_t)i * j->n, j->x, (size_t)j->n);
}

int verify_freivalds(int m, int n, int k, const double *C, const double *x, const double *abx,
		     double *cx, char *detail, size_t len)
{
	struct cx_job job = {n, C, x, cx};
	/*
	 * With |a|, |b| <= 1 and |x| <= 1 every term of the bound is at most k n: the kernel's
	 * own error (gamma_k per element of C) and that of computing Bx, A(Bx) and Cx add up to
	 * 2 (gamma_k + gamma_n) k n; 3x that is the tolerance. Single-precision accumulation
	 * misses it by orders of magnitude, and skipped work by far more.
	 */
	const double tol = 3 * (gamma_(k) + gamma_(n)) * (double)k * n;

	par_rows(m, cx_rows, &job);
	for (int i = 0; i < m; i++) {
		if (fabs(cx[i] - abx[i]) <= tol)
			continue;
		/* Say which element, when one is not a number. */
		for (int j = 0; j < n; j++) {
			double v = C[(size_t)i * n + j];
			if (verify_is_poison(v)) {
				snprintf(detail, len, "C[%d][%d] was never written (shape %dx%dx%d)", i, j, m, n, k);
				return -1;
			}
			if (!isfinite(v)) {
				snprintf(detail, len, "C[%d][%d] is %g for shape %dx%dx%d", i, j, v, m, n, k);
				return -1;
			}
		}
		snprintf(detail, len,
			 "wrong result in row %d for shape %dx%dx%d (Freivalds residual %.2g > "
			 "tolerance %.2g)",
			 i, m, n, k, fabs(cx[i] - abx[i]), tol);
		return -1;
	}
	return 0;
}
