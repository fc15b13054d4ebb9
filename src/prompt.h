/* prompt.h - the prompt of one SQD problem, rendered from templates/prompt.txt. */
#ifndef PERFRL_PROMPT_H
#define PERFRL_PROMPT_H

#include "stages.h"
#include "techniques.h"

/* An archive elite to start from ("improve this kernel using only ..."). */
struct prompt_elite {
	const char *source;
	const char *techs;  /* techset_format of what it uses */
	double gflops;
};

/*
 * The prompt of problem p: the dgemm contract (templates/dgemm_contract.txt), the shape, the
 * permitted and required techniques with their catalogue descriptions, the ones not
 * permitted, the elite (NULL: none) and the answer format. The same inputs give the same
 * bytes. A malloc'd string, or NULL with the error reported when a template cannot be read.
 */
char *prompt_render(const struct catalogue *c, const struct stage_problem *p,
		    const struct prompt_elite *elite);

#endif
