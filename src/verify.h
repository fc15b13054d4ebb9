/* verify.h - fresh inputs, poison, and the checks every kernel output must pass. */
#ifndef PERFRL_VERIFY_H
#define PERFRL_VERIFY_H

#include <stddef.h>
#include <stdint.h>

struct verify_rng {
	uint64_t s[4];
};

void verify_seed(struct verify_rng *r, uint64_t seed);
uint64_t verify_next(struct verify_rng *r);
/* Uniform in [-1, 1): fresh inputs for every checked call. */
void verify_fill(struct verify_rng *r, double *x, size_t n);
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
 * Fresh A (m x k) and B (k x n), uniform in [-1, 1), and with them the two halves of
 * Freivalds' check: a random x (n, |x_j| in [0.5, 1)), bx = B x (k) and abx = A (B x) (m),
 * computed while each row is generated.
 */
void verify_inputs(struct verify_rng *r, int m, int n, int k, double *A, double *B, double *x,
		   double *bx, double *abx);

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
