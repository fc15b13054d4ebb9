/* stages.h - the SQD curriculum: stages.lua, run in a sandboxed embedded Lua 5.4, decides per
 * iteration which problems to pose and which techniques each may (or must) use. */
#ifndef PERFRL_STAGES_H
#define PERFRL_STAGES_H

#include <stddef.h>
#include "catalogue.h"

struct stages;

/* What the script sees of the archive (read-only): one entry per filled cell. */
struct stage_cell {
	const char *shape;
	techset_t techs;
	double gflops;
	long since_improved;    /* iterations since the cell's elite last improved: 0 when the
				 * iteration just before this one improved it */
};

struct stage_input {
	long iteration;         /* 1-based */
	long iterations;        /* the run's total (perfrl.conf iterations) */
	int stage;              /* the current stage, 1-based */
	long stage_iterations;  /* iterations already run in the current stage (0 on its first) */
	long seed;              /* perfrl.conf seed */
	int problems;           /* perfrl.conf gpu_step.prompts_per_iteration */
	const char *const *shapes; /* perfrl.conf bench.shapes, NULL-terminated */
	int elite_feedback;     /* perfrl.conf sqd.elite_feedback: the default of each problem */
	/* the archive */
	const struct stage_cell *cells;
	size_t ncells;
	double coverage, qd_score;
};

struct stage_problem {
	char id[64];            /* unique in the plan: [A-Za-z0-9_.-]+ */
	char shape[32];         /* "MxNxK" */
	techset_t permitted;    /* always contains required */
	techset_t required;
	int elite;              /* 1: feed the best permitted elite back into the prompt */
};

struct stage_plan {
	int stage;              /* the stage this iteration is in */
	int advance;            /* 1: the next iteration starts stage + 1 */
	char note[160];         /* the script's word on the plan ("" when none) */
	size_t n;
	struct stage_problem *problems; /* owned; stage_plan_free */
};

/*
 * Load path into a new sandboxed Lua state: no io, os, package, require, debug, dofile,
 * loadfile or load of binary chunks; an instruction limit per call and a memory limit for the
 * whole state. Running the file may extend c through perfrl.technique{...} and set the
 * archive's descriptor: give each open a fresh catalogue. c must outlive the stages. 0, or -1
 * with "FILE:LINE: message" in err (FILE as Lua shortens it).
 */
int stages_open(const char *path, struct catalogue *c, struct stages **out, char *err,
		size_t errlen);
void stages_close(struct stages *s);

/* The techniques that define an archive cell (the behaviour descriptor): DESCRIPTOR in the
 * script, else openmp, simd, cache_blocking and register_blocking. */
techset_t stages_descriptor(const struct stages *s);

/* Ask the script for one iteration's plan and validate it. The plan, advance included, is made
 * before the iteration runs: the archive it sees ends with the iteration before. Deterministic for a given input
 * (math.random is seeded from seed and iteration before the call). 0, or -1 with
 * "FILE:LINE: message" (a Lua error) or "FILE: plan(): message" (a bad plan) in err. */
int stages_plan(struct stages *s, const struct stage_input *in, struct stage_plan *out,
		char *err, size_t errlen);
void stage_plan_free(struct stage_plan *p);

#endif
