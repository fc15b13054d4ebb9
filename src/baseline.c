/* baseline.c - OpenBLAS timed on this node, in this process (it is the baseline, not a
 * submission), with the same GFLOPS arithmetic as the kernels. */
#include "config.h"
#include "baseline.h"
#include "stats.h"
#include "util.h"

#include <cblas.h>
#include <errno.h>
#include <stdlib.h>

void openblas_set_num_threads(int num_threads);

int baseline_openblas(const struct shape *s, int threads, double budget_s, double *gflops)
{
	size_t m = (size_t)s->m, n = (size_t)s->n, k = (size_t)s->k;
	double *A = malloc(m * k * sizeof *A), *B = malloc(k * n * sizeof *B),
	       *C = malloc(m * n * sizeof *C), t[4096], until;
	int reps = 0;
	if (!A || !B || !C) {
		free(A);
		free(B);
		free(C);
		errno = ENOMEM;
		return -1;
	}
	for (size_t i = 0; i < m * k; i++)
		A[i] = (double)(i % 17) / 17.0 - 0.5;
	for (size_t i = 0; i < k * n; i++)
		B[i] = (double)(i % 13) / 13.0 - 0.5;
	openblas_set_num_threads(threads > 0 ? threads : 1);
	for (int w = 0; w < 2; w++)
		cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, s->m, s->n, s->k, 1.0, A, s->k,
			    B, s->n, 0.0, C, s->n);
	until = util_now() + budget_s;
	while (reps < 5 || (util_now() < until && reps < (int)(sizeof t / sizeof *t))) {
		double t0 = util_now();
		cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, s->m, s->n, s->k, 1.0, A, s->k,
			    B, s->n, 0.0, C, s->n);
		t[reps++] = util_now() - t0;
	}
	*gflops = 2.0 * (double)m * (double)n * (double)k / stats_median(t, (size_t)reps) / 1e9;
	free(A);
	free(B);
	free(C);
	return 0;
}
