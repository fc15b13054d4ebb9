/* baseline.h - BLAS libraries timed on this node: the practical ceiling a kernel is compared with. */
#ifndef PERFRL_BASELINE_H
#define PERFRL_BASELINE_H

#include "measure.h"

/* The libraries perfrl can time. OpenBLAS is linked; BLIS and MKL are loaded when present
 * (their own cblas symbols would clash with OpenBLAS's if linked into one program). */
enum baseline_lib { BASELINE_OPENBLAS, BASELINE_BLIS, BASELINE_MKL };

struct baseline_result {
	const char *library;  /* "openblas", "blis", "mkl" */
	int available;        /* 0: not installed here (detail says so); no figure */
	double gflops;        /* median of the timed calls */
	int threads;
	char core[48];        /* the kernels that ran: OpenBLAS's core, BLIS's configuration */
	char core_how[16];    /* OpenBLAS: default, user or chosen (blas_core.h) */
	char version[96];
	char detail[160];
};

/* The median GFLOPS of lib's dgemm on s with threads threads: two warm-up calls, then calls
 * until budget_s is spent (at least 5). Libraries are trusted code: they run in this process.
 * 0 (r->available says whether the library was found), or -1 (errno ENOMEM) when the matrices
 * cannot be allocated. */
int baseline_library(enum baseline_lib lib, const struct shape *s, int threads, double budget_s,
		     struct baseline_result *r);

#endif
