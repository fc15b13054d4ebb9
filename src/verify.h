/* verify.h - fresh inputs, poison, and the checks every kernel output must pass. */
#ifndef PERFRL_VERIFY_H
#define PERFRL_VERIFY_H

#include <stddef.h>
#include <stdint.h>

/* xoshiro256**: fast, for filling A and B only. Its outputs give away its state (its update
 * is linear over GF(2)), so it never draws a secret. */
struct verify_rng {
	uint64_t s[4];
};

void verify_seed(struct verify_rng *r, uint64_t seed);
uint64_t verify_next(struct verify_rng *r);
/* Uniform in [-1, 1): fresh inputs for every checked call. */
void verify_fill(struct verify_rng *r, double *x, size_t n);

/*
 * The secret generator: a ChaCha20 keystream (OpenSSL), keyed from getrandom(2). Nothing
 * it has produced, nor any number of its outputs, tells anything about the next one. It
 * draws every secret of a measurement (Freivalds' x, the full-check coin, the nonces) and
 * the seeds of the inputs, so that A and B of one call say nothing about the next.
 */
struct verify_csprng {
	struct evp_cipher_ctx_st *ctx;
	unsigned char buf[4096];
	size_t pos;
};

/* Keyed from getrandom(2) when seed is NULL, else from SHA-256 of *seed (reproducible: for
 * what need not be secret). Returns 0, or -1 (no randomness or no cipher to be had). */
int verify_csprng_init(struct verify_csprng *g, const uint64_t *seed);
uint64_t verify_csprng_u64(struct verify_csprng *g);
/* Uniform in [0, n), n > 0, without modulo bias. */
uint64_t verify_csprng_below(struct verify_csprng *g, uint64_t n);
void verify_csprng_free(struct verify_csprng *g);
/* A NaN with perfrl's own payload, so that "never written" can be told from "computed NaN". */
void verify_poison(double *c, size_t n);
int verify_is_poison(double v);
/* Index of the first element that is no longer poison, or -1 (checks writes past C). */
long verify_poison_intact(const double *c, size_t n);

/*
 * Elementwise check against OpenBLAS: |C - A.B|_ij <= 2 gamma_k ||A_i,:|| ||B_:,j|| with
 * gamma_k = k u / (1 - k u), the double-precision error bound of any summation order, so
 * single-precision accumulation fails and any honest double kernel passes. NaN and Inf
 * fail. scratch holds m*n + m + n doubles. Returns 0, or -1 with a detail.
 */
int verify_full(int m, int n, int k, const double *A, const double *B, const double *C,
		double *scratch, char *detail, size_t len);

/*
 * Fresh A (m x k) and B (k x n), uniform in [-1, 1) from fill_seed, and with them the two
 * halves of Freivalds' check: a random x (n, |x_j| in [0.5, 1)) from the secret generator,
 * bx = B x (k) and abx = A (B x) (m), computed while each row is generated. fill_seed is
 * all that A and B reveal: give each call a fresh one from a verify_csprng.
 */
void verify_inputs(uint64_t fill_seed, struct verify_csprng *secret, int m, int n, int k,
		   double *A, double *B, double *x, double *bx, double *abx);

/*
 * Freivalds' check, O(mn) after verify_inputs: C x against A (B x), row by row, with the
 * error bound for inputs in [-1, 1]. Cheap enough for every timed call; the kernel never
 * sees x. cx holds m doubles of scratch. Returns 0, or -1 with a detail.
 */
int verify_freivalds(int m, int n, int k, const double *C, const double *x, const double *abx,
		     double *cx, char *detail, size_t len);

/* Threads for verify_inputs and verify_freivalds (default 1; the results do not depend on
 * it). */
void verify_set_threads(int n);

#endif
