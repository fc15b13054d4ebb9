/* reward.h - from a measurement to the number GRPO sees. */
#ifndef PERFRL_REWARD_H
#define PERFRL_REWARD_H

#include "status.h"

enum reward_mode {
	REWARD_GFLOPS, /* raw median GFLOPS (the paper's, and the default) */
	REWARD_LOG,    /* log2(1 + GFLOPS): compresses the range between easy and hard wins */
	REWARD_RATIO,  /* GFLOPS / the reference kernel's GFLOPS measured on the same node */
};

/* Parse "gflops", "log" or "ratio"; returns 0, or -1. */
int reward_parse(const char *s, enum reward_mode *mode);
const char *reward_mode_name(enum reward_mode mode);
/* Failures get the paper's tiers; ok gets the performance term. */
double reward_of(status_t st, double gflops, enum reward_mode mode, double reference_gflops);

/* The reference kernel for REWARD_RATIO: loop-reordered, OpenMP, auto-vectorised by -O3.
 * Generated at build time from templates/reference_dgemm.c. */
extern const char reward_reference_source[];

#endif
