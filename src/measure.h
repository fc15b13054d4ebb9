/* measure.h - run a built kernel in the sandbox: check it on several shapes, then time it. */
#ifndef PERFRL_MEASURE_H
#define PERFRL_MEASURE_H

#include <stdint.h>
#include "shape.h"
#include "status.h"
#include "verify.h"

#define MEASURE_MAX_SHAPES 8
/* The check shapes of one run: the fixed ones and MEASURE_RANDOM_SHAPES drawn (below). */
#define MEASURE_MAX_CHECKS 16


struct measure_opts {
	struct shape shapes[MEASURE_MAX_SHAPES]; /* measured shapes (also checked) */
	int nshapes;
	double budget_s;     /* wall-time budget of the timed loop, per shape (and kernel) */
	double timeout_s;    /* per call */
	double target_cv;    /* stop repeating once the CV is this small (after min_reps) */
	int min_reps, max_reps;
	int threads;         /* OMP_NUM_THREADS; 0: the CPUs this process may use */
	unsigned long long mem_bytes; /* address-space limit of the harness */
	double peak_gflops;  /* above this a figure is a defect; 0: detect */
	const char *harness; /* path of perfrl-harness */
	const char *lock_path; /* node-wide lock held while running; NULL: none */
	/* Nonzero: the calls' shapes and inputs (A, B) derive from it, to reproduce a failure.
	 * The secrets (Freivalds' x, the full-check coin, the nonces) never do. */
	uint64_t seed;
};

struct shape_result {
	struct shape s;
	double gflops, seconds;     /* median GFLOPS and median seconds of the timed calls */
	double cv, cv_stdev;        /* robust CV (MAD-based) and the plain stdev/mean */
	double timed_s;             /* the sum of the timed calls */
	int reps, checked;          /* timed calls, and how many of them were fully checked */
};

/* A measured figure above the measured peak by more than this share is a defect: the probe's
 * best burst errs high already, so the margin only absorbs the clock's own jitter. */
#define MEASURE_PEAK_MARGIN 1.10

struct measurement {
	status_t status;
	char detail[512];
	double gflops;       /* geometric mean of the shapes' medians (ok only) */
	double cv;           /* the largest CV of the shapes */
	int nshapes;
	struct shape_result shapes[MEASURE_MAX_SHAPES];
	int threads;
	double peak_gflops;  /* the measured peak (or --peak): efficiency is against it */
	const char *peak_how;
	double nominal_peak_gflops; /* cores x clock x FMA width, for comparison (0: --peak given) */
	struct shape checked[MEASURE_MAX_CHECKS]; /* the check shapes of this run, fixed and drawn */
	int nchecked;
	double seconds;      /* wall time of the whole run phase (a group's: shared evenly), of which: */
	double lock_wait_s;  /* waiting for the timing lock */
	double start_s;      /* starting the sandbox until its first call */
	double call_s;       /* inside kernel calls (checks, warm-up and timed) */
	double input_s;      /* making fresh inputs and poisoning C */
	double check_s;      /* verifying results */
	unsigned long long peak_memory; /* bytes the run held at most (0: no cgroup to tell) */
};

/* The check-only shapes run before the measured ones: odd, tiny, non-square. */
extern const struct shape measure_check_shapes[];
extern const int measure_ncheck_shapes;

/*
 * Check-only shapes drawn afresh for each evaluation, after the fixed ones: over the set,
 * every residue mod 8 in each of m, n and k; one shape with m and n past 128 (odd
 * remainders), two with k past 256, one of them with k odd. Tails are where kernels go
 * wrong, and a kernel cannot learn shapes it has never been shown.
 */
#define MEASURE_RANDOM_SHAPES 8
void measure_random_shapes(struct verify_csprng *g, struct shape out[MEASURE_RANDOM_SHAPES]);

void measure_defaults(struct measure_opts *o);
/* Returns 0 with m filled (any status), or -1 on an infrastructure failure (printed).
 * The group of one. */
int measure_kernel(const char *so_path, const struct measure_opts *o, struct measurement *m);

/* A group's sessions are all alive at once: larger groups are split into even parts. */
#define MEASURE_MAX_GROUP 16

/*
 * Time n kernels interleaved (same shapes, same node): each in its own sandboxed session,
 * checked as measure_kernel checks it, then timed in rounds of one checked call each, in a
 * fresh random order per round, so that a host phase hits all of them alike. The timing
 * lock is held once for the group; the group's budget is budget_s for each kernel. A kernel
 * that fails gets its status in ms[i] and leaves; the others go on. Returns 0 with ms[0..n)
 * filled (any statuses), or -1 on an infrastructure failure (printed).
 */
int measure_group(const char *const *so_paths, int n, const struct measure_opts *o,
		  struct measurement *ms);
/* Locate perfrl-harness: $PERFRL_HARNESS, beside the running perfrl, then libexecdir. */
const char *measure_find_harness(void);

#endif
