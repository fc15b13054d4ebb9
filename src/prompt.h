/* prompt.h - the prompt of one SQD problem, rendered from templates/prompt.txt. */
#ifndef PERFRL_PROMPT_H
#define PERFRL_PROMPT_H

#include "stages.h"
#include "catalogue.h"

/* An archive elite to start from ("improve this kernel using only ..."). */
struct prompt_elite {
	const char *source;
	const char *techs;  /* techset_format of what it uses */
	double gflops;
};

/* The shipped template, and the kernel @SEED@ falls back on when there is no elite. */
#define PROMPT_TEMPLATE_DEFAULT "templates/prompt.txt"
#define PROMPT_SEED_KERNEL "templates/seed_kernel.c"

/*
 * The prompt of problem p rendered from templates/prompt.txt: the dgemm contract
 * (templates/dgemm_contract.txt), the shape, the permitted and required techniques with their
 * catalogue descriptions, the ones not permitted, the elite (NULL: none) and the answer format.
 * The same inputs give the same bytes. A malloc'd string, or NULL with the error reported when
 * a template cannot be read.
 */
char *prompt_render(const struct catalogue *c, const struct stage_problem *p,
		    const struct prompt_elite *elite);

/*
 * The same from the template file tmpl (sqd.prompt_template): a path that exists as given, else
 * one under perfrl's data directory (templates/prompt-compact.txt). Its keys: @CONTRACT@,
 * @SHAPE@, @PERMITTED@, @REQUIRED@, @FORBIDDEN@ and @ELITE@ as above; @PERMITTED_NAMES@ (the
 * names, comma-separated: "none" when none), @REQUIRED_NOTE@ (" It must use: a, b." or
 * nothing) and @SEED@ (the elite's source, else templates/seed_kernel.c; ends in a newline).
 */
char *prompt_render_template(const char *tmpl, const struct catalogue *c,
			     const struct stage_problem *p, const struct prompt_elite *elite);

/* Where tmpl is read from (see prompt_render_template); a static buffer. */
const char *prompt_template_path(const char *tmpl);

#endif
