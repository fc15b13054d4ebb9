/* pipeline.h - one completion's path to its record (the reward): admit, build, time, record. */
#ifndef PERFRL_PIPELINE_H
#define PERFRL_PIPELINE_H

#include "build.h"
#include "catalogue.h"
#include "measure.h"
#include "record.h"
#include "reward.h"

#include <jansson.h>

/* The techniques a sample may and must use (SQD compliance). */
struct constraint {
	techset_t permitted, required;
	const char *error; /* the sample cannot be judged (an unknown problem): rejected */
};

/* What every input of a batch shares. */
struct pipeline {
	struct catalogue *cat;   /* the techniques (stages.lua's included) */
	struct build_opts build;
	struct measure_opts measure;
	enum reward_mode reward;
	double reference_gflops; /* REWARD_RATIO: perfrl's reference kernel on this node */
	int interleave;          /* time a group's kernels call by call in turn */
};

/* One input on its way through the pipeline: admitted and built, then timed (alone or in
 * its group), then its record. */
struct pipeline_item {
	struct record_input in;
	struct build_result br;
	struct measurement m;
	char why[300];
	techset_t used;
	int detected;
	int timed; /* built: it goes to the timing */
};

/* Admit and build (from the cache, once pipeline_prebuild has run). 0 with e->timed when it is
 * to be timed, else e->in says why not; -1 on an infrastructure failure (already reported). */
int pipeline_prepare(struct pipeline *p, const char *text, size_t len, const char *file,
		     json_t *sample_id, json_t *problem_id, const struct measure_opts *mo,
		     const struct constraint *con, struct pipeline_item *e);
/* Time the built ones among es[0..n), which share their shapes: interleaved as one group
 * (p->interleave), or one after another. 0, or -1 on an infrastructure failure (reported). */
int pipeline_time(const struct pipeline *p, struct pipeline_item *es, int n,
		  const struct measure_opts *mo);
/* Its record, once its timing (if any) is done. */
json_t *pipeline_conclude(const struct pipeline *p, struct pipeline_item *e);
/* REWARD_RATIO: measure perfrl's reference kernel once, on this node. 0, or -1 (reported). */
int pipeline_reference(struct pipeline *p);
/* Build texts[0..n) in parallel, jobs compilers, so that the timed phase finds them in the
 * cache; cons (NULL, or NULL entries) their rules. 1 when it built, 0 when there was nothing
 * to overlap. */
int pipeline_prebuild(struct pipeline *p, const char *const *texts,
		      const struct constraint *const *cons, int n, int jobs);

#endif
