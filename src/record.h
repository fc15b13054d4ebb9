/* record.h - one benchmark result as a JSON record (the CPU step's output format). */
#ifndef PERFRL_RECORD_H
#define PERFRL_RECORD_H

#include <jansson.h>
#include "build.h"
#include "measure.h"

/* What is known about one input, from whichever stages it reached. */
struct record_input {
	const char *file;       /* or NULL */
	json_t *sample_id;      /* or NULL (borrowed) */
	json_t *problem_id;     /* or NULL (borrowed) */
	status_t status;
	const char *detail;
	const struct build_result *build;     /* NULL if it never reached the build */
	const struct measurement *measure;    /* NULL if it never ran */
	const struct measure_opts *opts;
	double reward;
	const char *reward_mode;
	double reference_gflops; /* 0: none */
};

/* A new JSON object; doc/design.md lists its fields. */
json_t *record_make(const struct record_input *in);

#endif
