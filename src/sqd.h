/* sqd.h - the orchestrator's side of Staged Quality-Diversity: stages.lua's plan becomes each
 * iteration's prompts, and each iteration's ok kernels go into the archive. */
#ifndef PERFRL_SQD_H
#define PERFRL_SQD_H

#include <jansson.h>
#include <stdio.h>
#include "conf.h"
#include "iterlog.h"

struct sqd;

/*
 * Open the curriculum of cfg: stages.lua (cfg->stages; the shipped one when the default name
 * is not in the current directory), RUN/state/archive.json and RUN/state/sqd.json. Then ask
 * the script for the plan of every iteration still to come, so that an error in it stops the
 * run before anything is submitted. cfg must outlive the sqd. 0, or -1 (reported).
 */
int sqd_open(const struct perfrl_config *cfg, const char *state_dir, struct sqd **out);
void sqd_close(struct sqd *q);

/* Write DIR/techniques.json, DIR/plan.json and DIR/prompts.jsonl (last, atomically) for
 * iteration iter; an existing prompts.jsonl is kept (a resumed iteration). *stage is the
 * iteration's stage. 0, or -1 (reported). */
int sqd_prepare(struct sqd *q, long iter, const char *dir, int *stage);

/* After iteration iter (dir): offer its ok results (bench records; may be NULL) to the
 * archive, move the stage on as the plan said, save both, and fill r's stage, coverage and
 * qd_score. Done once per iteration (a resumed update changes nothing). 0, or -1 (reported). */
int sqd_update(struct sqd *q, long iter, const char *dir, json_t *results, struct iter_record *r);

/* One row of a preview: a problem of an iteration, or (note set, the rest unset) what the
 * script says between iterations. */
struct sqd_preview_row {
	long iter;
	int stage;
	const char *plan; /* "run", "next" or "preview" */
	int advance;      /* the stage ends after this iteration */
	const char *id, *shape;
	json_t *permitted, *required; /* arrays of technique names */
	int elite;        /* the prompt shows an elite */
	const char *note;
};

/* `perfrl stages`: the plans of iterations from..to (the ones already run, from their
 * prompts; the rest as the script would make them if the archive stayed as it is), a row at a
 * time to fn (the printing is the command's). 0, or -1 (reported). */
int sqd_preview(struct sqd *q, const char *run_dir, long from, long to,
		void (*fn)(void *ctx, const struct sqd_preview_row *row), void *ctx);

#endif
