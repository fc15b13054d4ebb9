/* test_verify.c - the checks: honest results pass, every kind of wrong one fails. */
#include "config.h"
#include "../lib/check.h"
#include "verify.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void ref_dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	for (int i = 0; i < m; i++)
		for (int j = 0; j < n; j++) {
			double s = 0;
			for (int l = 0; l < k; l++)
				s += A[i * k + l] * B[l * n + j];
			C[i * n + j] = s;
		}
}

/* Single precision throughout: what a kernel that accumulates in float produces. */
static void float_dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	for (int i = 0; i < m; i++)
		for (int j = 0; j < n; j++) {
			float s = 0;
			for (int l = 0; l < k; l++)
				s += (float)A[i * k + l] * (float)B[l * n + j];
			C[i * n + j] = s;
		}
}

struct bufs {
	double *A, *B, *C, *scratch, *x, *bx, *abx;
};

static struct bufs alloc(int m, int n, int k)
{
	struct bufs b;
	b.A = malloc(sizeof(double) * m * k);
	b.B = malloc(sizeof(double) * k * n);
	b.C = malloc(sizeof(double) * m * n);
	b.scratch = malloc(sizeof(double) * (m * n + m + n));
	b.x = malloc(sizeof(double) * n);
	b.bx = malloc(sizeof(double) * k);
	b.abx = malloc(sizeof(double) * m);
	return b;
}

static void release(struct bufs *b)
{
	free(b->A), free(b->B), free(b->C), free(b->scratch), free(b->x), free(b->bx), free(b->abx);
}

static int both(int m, int n, int k, struct bufs *b, char *d, size_t dl)
{
	int full = verify_full(m, n, k, b->A, b->B, b->C, b->scratch, d, dl);
	int fv = verify_freivalds(m, n, k, b->C, b->x, b->abx, b->scratch, d, dl);
	return full == 0 && fv == 0 ? 0 : (full != 0 && fv != 0 ? -1 : -2);
}

/*
 * The attack on the old nonces: xoshiro256**'s output gives s[1] away (rotl(s1 * 5, 7) * 9
 * is invertible), and four consecutive s[1] give the whole state, since its update is linear.
 * Returns what the generator will say next if outs[0..3] were xoshiro256** outputs.
 */
static uint64_t inv_odd(uint64_t a)
{
	uint64_t x = a; /* Newton: each step doubles the correct low bits */
	for (int i = 0; i < 6; i++)
		x *= 2 - a * x;
	return x;
}

static uint64_t predict_xoshiro(const uint64_t outs[4])
{
	uint64_t b[4], ac, cd, c1, d1, bd;
	struct verify_rng r;
	for (int i = 0; i < 4; i++) {
		uint64_t t = outs[i] * inv_odd(9);
		b[i] = ((t >> 7) | (t << 57)) * inv_odd(5);
	}
	/* One step maps (a, b, c, d) to (a^b^d, a^b^c, a^c^(b<<17), rotl(b^d, 45)): b[1]
	 * gives a^c, b[2] then c^d, b[3] then d. */
	ac = b[1] ^ b[0];
	cd = b[2] ^ b[1] ^ b[0] ^ (b[0] << 17);
	c1 = ac ^ (b[0] << 17);
	d1 = b[3] ^ b[2] ^ b[1] ^ (b[1] << 17) ^ c1;
	bd = (d1 >> 45) | (d1 << 19);
	r.s[1] = b[0];
	r.s[3] = bd ^ b[0];
	r.s[2] = cd ^ r.s[3];
	r.s[0] = ac ^ r.s[2];
	for (int i = 0; i < 4; i++)
		verify_next(&r);
	return verify_next(&r);
}

int main(void)
{
	static const int shapes[][3] = {{1, 1, 1}, {17, 33, 65}, {127, 1, 255}, {64, 48, 100}, {200, 150, 300}};
	struct verify_rng r;
	struct verify_csprng g, g2;
	char d[400];

	/* The predictor works on xoshiro256** (what drew the nonces, x and the coin before)... */
	verify_seed(&r, 42);
	{
		uint64_t o[4];
		for (int i = 0; i < 4; i++)
			o[i] = verify_next(&r);
		CHECK(predict_xoshiro(o) == verify_next(&r));
	}
	/* ...and never on the secret generator, however many outputs it has seen. */
	CHECK(verify_csprng_init(&g, NULL) == 0);
	{
		uint64_t o[4];
		int hits = 0;
		for (int t = 0; t < 1000; t++) {
			for (int i = 0; i < 4; i++)
				o[i] = verify_csprng_u64(&g);
			hits += predict_xoshiro(o) == verify_csprng_u64(&g);
		}
		CHECK(hits == 0);
	}
	/* Keyed from getrandom: two generators differ; from a seed: reproducible, and the seed
	 * is not what comes out. It goes on past a refill of its buffer. */
	{
		uint64_t seed = 7, v1[1100], v2[1100];
		CHECK(verify_csprng_init(&g2, NULL) == 0);
		CHECK(verify_csprng_u64(&g) != verify_csprng_u64(&g2));
		verify_csprng_free(&g2);
		CHECK(verify_csprng_init(&g2, &seed) == 0);
		for (int i = 0; i < 1100; i++)
			v1[i] = verify_csprng_u64(&g2);
		verify_csprng_free(&g2);
		CHECK(verify_csprng_init(&g2, &seed) == 0);
		for (int i = 0; i < 1100; i++)
			v2[i] = verify_csprng_u64(&g2);
		verify_csprng_free(&g2);
		CHECK(memcmp(v1, v2, sizeof v1) == 0 && v1[0] != seed && v1[1000] != v1[1001]);
		for (int i = 0; i < 1000; i++)
			CHECK(verify_csprng_below(&g, 5) < 5);
	}
	verify_seed(&r, 42);
	/* The generator: in range, not constant, mean near zero. */
	{
		double x[1003], sum = 0, lo = 1, hi = -1;
		verify_fill(&r, x, 1003);
		for (int i = 0; i < 1003; i++) {
			sum += x[i];
			lo = x[i] < lo ? x[i] : lo;
			hi = x[i] > hi ? x[i] : hi;
		}
		CHECK(lo >= -1 && hi < 1 && hi - lo > 1.9 && fabs(sum / 1003) < 0.1);
	}
	for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
		int m = shapes[s][0], n = shapes[s][1], k = shapes[s][2];
		struct bufs b = alloc(m, n, k);
		verify_inputs(verify_csprng_u64(&g), &g, m, n, k, b.A, b.B, b.x, b.bx, b.abx);

		/* Honest double results pass both checks. */
		ref_dgemm(m, n, k, b.A, b.B, b.C);
		CHECK(both(m, n, k, &b, d, sizeof d) == 0);

		/* Single precision fails both (k = 1 included: the inputs lose their low bits). */
		float_dgemm(m, n, k, b.A, b.B, b.C);
		CHECK(both(m, n, k, &b, d, sizeof d) == -1);

		/* One element off by a relative 1e-6 fails; an error within the bound (a quarter of
		 * gamma_k, as a different summation order may give) passes. */
		ref_dgemm(m, n, k, b.A, b.B, b.C);
		b.C[(m / 2) * n + n / 2] += 1e-6 * (1 + fabs(b.C[(m / 2) * n + n / 2]));
		CHECK(verify_full(m, n, k, b.A, b.B, b.C, b.scratch, d, sizeof d) == -1);
		CHECK(verify_freivalds(m, n, k, b.C, b.x, b.abx, b.scratch, d, sizeof d) == -1);
		ref_dgemm(m, n, k, b.A, b.B, b.C);
		b.C[0] += 0.25 * k * 1.1e-16 * fabs(b.C[0]);
		CHECK(verify_full(m, n, k, b.A, b.B, b.C, b.scratch, d, sizeof d) == 0);

		/* NaN, Inf and never-written elements fail, and say so. */
		ref_dgemm(m, n, k, b.A, b.B, b.C);
		b.C[m * n - 1] = NAN;
		CHECK(both(m, n, k, &b, d, sizeof d) == -1);
		b.C[m * n - 1] = INFINITY;
		CHECK(both(m, n, k, &b, d, sizeof d) == -1);
		verify_poison(b.C + m * n - 1, 1);
		CHECK(verify_freivalds(m, n, k, b.C, b.x, b.abx, b.scratch, d, sizeof d) == -1);
		CHECK(strstr(d, "never written") != NULL);

		/* Half the work: odd rows skipped. */
		ref_dgemm(m, n, k, b.A, b.B, b.C);
		for (int i = 1; i < m; i += 2)
			for (int j = 0; j < n; j++)
				b.C[i * n + j] = 0;
		if (m > 1)
			CHECK(both(m, n, k, &b, d, sizeof d) == -1);

		/* Stale: the right answer to the previous inputs fails on fresh ones. */
		ref_dgemm(m, n, k, b.A, b.B, b.C);
		verify_inputs(verify_csprng_u64(&g), &g, m, n, k, b.A, b.B, b.x, b.bx, b.abx);
		CHECK(both(m, n, k, &b, d, sizeof d) == -1);
		release(&b);
	}
	/* Poison: recognisable, and any write to it is found. */
	{
		double p[10];
		verify_poison(p, 10);
		CHECK(verify_poison_intact(p, 10) == -1);
		CHECK(isnan(p[3]) && verify_is_poison(p[3]) && !verify_is_poison(NAN));
		p[7] = 0;
		CHECK(verify_poison_intact(p, 10) == 7);
	}
	verify_csprng_free(&g);
	return CHECK_DONE();
}
