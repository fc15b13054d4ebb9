/* sqd.c - Staged Quality-Diversity in the orchestrator: plans from stages.lua become prompts,
 * measured kernels fill the archive, and the stage moves on when the plan says so. */
#include "config.h"
#include "sqd.h"
#include "archive.h"
#include "catalogue.h"
#include "datadir.h"
#include "extract.h"
#include "jsonl.h"
#include "prompt.h"
#include "stages.h"
#include "techniques.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SQD_STATE_VERSION 1

struct sqd {
	const struct perfrl_config *cfg;
	char state_dir[PATH_MAX];
	char stages_path[PATH_MAX];
	struct catalogue *cat;
	struct stages *st;
	struct archive *arc;
	techset_t descriptor;
	/* RUN/state/sqd.json: where the curriculum stands */
	int stage;
	long stage_iterations; /* iterations run in the current stage */
	long last_iter;        /* the last iteration whose results are in the archive */
};

/* ---- state ------------------------------------------------------------------------------- */

static int load_state(struct sqd *q)
{
	char path[PATH_MAX + 16];
	json_error_t je;
	json_t *j;
	snprintf(path, sizeof path, "%s/sqd.json", q->state_dir);
	q->stage = 1;
	q->stage_iterations = 0;
	q->last_iter = 0;
	if (access(path, F_OK) != 0)
		return 0;
	j = json_load_file(path, 0, &je);
	if (!j || json_integer_value(json_object_get(j, "version")) != SQD_STATE_VERSION ||
	    !json_is_integer(json_object_get(j, "stage"))) {
		json_decref(j);
		return util_error("%s: not a perfrl SQD state (version %d): %s", path,
				  SQD_STATE_VERSION, j ? "wrong version or fields" : je.text);
	}
	q->stage = (int)json_integer_value(json_object_get(j, "stage"));
	q->stage_iterations = (long)json_integer_value(json_object_get(j, "stage_iterations"));
	q->last_iter = (long)json_integer_value(json_object_get(j, "last_iter"));
	json_decref(j);
	return 0;
}

/* Every shape of the configuration and of the archive, times every descriptor combination. */
static size_t total_cells(const struct sqd *q)
{
	size_t shapes = 0, combos = (size_t)1 << __builtin_popcount(q->descriptor);
	for (int i = 0; i < q->cfg->bench.shapes.n; i++)
		shapes++;
	for (size_t i = 0; i < archive_count(q->arc); i++) {
		const struct archive_cell *c = archive_cell(q->arc, i);
		int known = 0;
		for (int k = 0; k < q->cfg->bench.shapes.n && !known; k++)
			known = !strcmp(q->cfg->bench.shapes.v[k], c->shape);
		for (size_t j = 0; j < i && !known; j++)
			known = !strcmp(archive_cell(q->arc, j)->shape, c->shape);
		shapes += !known;
	}
	return shapes * combos;
}

static int save_state(struct sqd *q)
{
	char path[PATH_MAX + 16], err[512];
	size_t total = total_cells(q);
	json_t *j;
	char *text;
	int rc;
	if (archive_save(q->arc, q->state_dir, err, sizeof err) != 0)
		return util_error("%s", err);
	j = json_pack("{s:i, s:i, s:I, s:I, s:I, s:f, s:f, s:o, s:s}", "version", SQD_STATE_VERSION,
		      "stage", q->stage, "stage_iterations", (json_int_t)q->stage_iterations,
		      "last_iter", (json_int_t)q->last_iter, "total_cells", (json_int_t)total,
		      "coverage", archive_coverage(q->arc, total), "qd_score",
		      archive_qd_score(q->arc), "descriptor", techset_json(q->cat, q->descriptor),
		      "stages", q->stages_path);
	text = json_dumps(j, JSON_INDENT(2));
	json_decref(j);
	snprintf(path, sizeof path, "%s/sqd.json", q->state_dir);
	rc = util_write_atomic(path, text, strlen(text));
	free(text);
	return rc == 0 ? 0 : util_error("cannot write %s: %s", path, strerror(errno));
}

/* ---- open ------------------------------------------------------------------------------ */

struct plan_ctx {
	struct stage_cell *cells;
	size_t ncells;
};

/* The script's view of iteration iter, in stage / stage_its (cells freed by the caller). */
static void fill_input(struct sqd *q, long iter, int stage, long stage_its, struct stage_input *in,
		       struct plan_ctx *pc)
{
	char err[200];
	size_t total = total_cells(q);
	memset(in, 0, sizeof *in);
	in->iteration = iter;
	in->iterations = q->cfg->iterations;
	in->stage = stage;
	in->stage_iterations = stage_its;
	in->seed = q->cfg->seed;
	in->problems = q->cfg->gpu_step.prompts_per_iteration;
	in->shapes = (const char *const *)q->cfg->bench.shapes.v;
	in->elite_feedback = q->cfg->sqd.elite_feedback;
	pc->cells = util_xcalloc(archive_count(q->arc) + 1, sizeof *pc->cells);
	pc->ncells = 0;
	for (size_t i = 0; i < archive_count(q->arc); i++) {
		const struct archive_cell *c = archive_cell(q->arc, i);
		struct stage_cell *sc = &pc->cells[pc->ncells];
		if (techset_parse(q->cat, c->techs, &sc->techs, err, sizeof err) != 0)
			continue; /* a technique stages.lua no longer defines: not shown */
		sc->shape = c->shape;
		sc->gflops = c->gflops;
		sc->since_improved = iter - 1 - c->improved_iter;
		if (sc->since_improved < 0)
			sc->since_improved = 0;
		pc->ncells++;
	}
	in->cells = pc->cells;
	in->ncells = pc->ncells;
	in->coverage = archive_coverage(q->arc, total);
	in->qd_score = archive_qd_score(q->arc);
}

static int plan_for(struct sqd *q, long iter, int stage, long stage_its, struct stage_plan *plan)
{
	struct stage_input in;
	struct plan_ctx pc;
	char err[512];
	int rc;
	fill_input(q, iter, stage, stage_its, &in, &pc);
	rc = stages_plan(q->st, &in, plan, err, sizeof err);
	free(pc.cells);
	if (rc != 0)
		return util_error("%s (planning iteration %ld)", err, iter);
	return 0;
}

/* The stage after a plan, and the iterations run in it. */
static void advance(const struct stage_plan *p, int *stage, long *stage_its)
{
	if (p->advance) {
		*stage = p->stage + 1;
		*stage_its = 0;
	} else if (p->stage != *stage) {
		*stage = p->stage;
		*stage_its = 1;
	} else {
		(*stage_its)++;
	}
}

int sqd_open(const struct perfrl_config *cfg, const char *state_dir, struct sqd **out)
{
	struct sqd *q = util_xcalloc(1, sizeof *q);
	char err[512];
	const char *path = cfg->stages;
	int stage;
	long its;

	*out = NULL;
	q->cfg = cfg;
	snprintf(q->state_dir, sizeof q->state_dir, "%s", state_dir);
	/* The default name, absent here: the curriculum perfrl ships. */
	if (access(path, F_OK) != 0 && !strcmp(path, "stages.lua"))
		path = datadir_path("stages.lua");
	snprintf(q->stages_path, sizeof q->stages_path, "%s", path);
	q->cat = catalogue_new();
	if (stages_open(q->stages_path, q->cat, &q->st, err, sizeof err) != 0) {
		util_error("%s", err);
		goto fail;
	}
	q->descriptor = stages_descriptor(q->st);
	if (access(prompt_template_path(cfg->sqd.prompt_template), R_OK) != 0) {
		util_error("sqd.prompt_template: cannot read %s: %s",
			   prompt_template_path(cfg->sqd.prompt_template), strerror(errno));
		goto fail;
	}
	if (archive_load(state_dir, &q->arc, err, sizeof err) != 0) {
		util_error("%s", err);
		goto fail;
	}
	if (load_state(q) != 0)
		goto fail;
	/* Every plan still to come, now: a bad script stops the run before a job exists. */
	stage = q->stage;
	its = q->stage_iterations;
	for (long it = q->last_iter + 1; it <= cfg->iterations; it++) {
		struct stage_plan p;
		if (plan_for(q, it, stage, its, &p) != 0)
			goto fail;
		advance(&p, &stage, &its);
		stage_plan_free(&p);
	}
	*out = q;
	return 0;
fail:
	sqd_close(q);
	return -1;
}

void sqd_close(struct sqd *q)
{
	if (!q)
		return;
	stages_close(q->st);
	archive_free(q->arc);
	catalogue_free(q->cat);
	free(q);
}

/* ---- one iteration --------------------------------------------------------------------- */

/* The fastest elite for shape whose kernel uses only permitted techniques, or NULL. */
static const struct archive_cell *elite_for(struct sqd *q, const char *shape, techset_t permitted,
					    char *techs, size_t len)
{
	const struct archive_cell *best = NULL;
	for (size_t i = 0; i < archive_count(q->arc); i++) {
		const struct archive_cell *c = archive_cell(q->arc, i);
		techset_t used;
		char why[200];
		if (strcmp(c->shape, shape) || (best && c->gflops <= best->gflops) || !c->source)
			continue;
		/* The cell names only the descriptor's techniques: ask the kernel itself. */
		if (techniques_detect(q->cat, c->source, strlen(c->source), &used, NULL, why,
				      sizeof why) != 0 ||
		    (used & ~permitted))
			continue;
		best = c;
		techset_format(q->cat, used, techs, len);
	}
	return best;
}

int sqd_prepare(struct sqd *q, long iter, const char *dir, int *stage)
{
	char path[PATH_MAX + 32];
	struct stage_plan p;
	json_t *lines, *j;
	int rc = -1;

	snprintf(path, sizeof path, "%s/prompts.jsonl", dir);
	if (access(path, F_OK) == 0) {
		/* Written before an interruption: the same prompts, the same stage. */
		snprintf(path, sizeof path, "%s/plan.json", dir);
		j = json_load_file(path, 0, NULL);
		*stage = j ? (int)json_integer_value(json_object_get(j, "stage")) : q->stage;
		json_decref(j);
		return 0;
	}
	if (plan_for(q, iter, q->stage, q->stage_iterations, &p) != 0)
		return -1;
	*stage = p.stage;
	lines = json_array();
	for (size_t i = 0; i < p.n; i++) {
		const struct stage_problem *pr = &p.problems[i];
		const struct archive_cell *elite = NULL;
		struct prompt_elite pe = {0};
		char techs[TECH_MAX * TECH_NAME_MAX];
		char *text;
		if (pr->elite && (elite = elite_for(q, pr->shape, pr->permitted, techs, sizeof techs))) {
			pe.source = elite->source;
			pe.techs = techs;
			pe.gflops = elite->gflops;
		}
		if (!(text = prompt_render_template(q->cfg->sqd.prompt_template, q->cat, pr,
						    elite ? &pe : NULL)))
			goto out;
		j = json_pack("{s:s, s:s, s:s, s:o, s:o, s:i}", "problem_id", pr->id, "prompt", text,
			      "shape", pr->shape, "permitted", techset_json(q->cat, pr->permitted),
			      "required", techset_json(q->cat, pr->required), "stage", p.stage);
		if (elite)
			json_object_set_new(j, "elite", json_string(elite->sample_id ? elite->sample_id : ""));
		json_array_append_new(lines, j);
		free(text);
	}
	/* The catalogue for the CPU step (user techniques), the plan, then the prompts: their
	 * existence says the other two are whole. */
	snprintf(path, sizeof path, "%s/techniques.json", dir);
	j = catalogue_json(q->cat);
	if (json_dump_file(j, path, JSON_COMPACT) != 0) {
		json_decref(j);
		util_error("cannot write %s: %s", path, strerror(errno));
		goto out;
	}
	json_decref(j);
	snprintf(path, sizeof path, "%s/plan.json", dir);
	j = json_pack("{s:I, s:i, s:b, s:s, s:I}", "iteration", (json_int_t)iter, "stage", p.stage,
		      "advance", p.advance, "note", p.note, "problems", (json_int_t)p.n);
	{
		char *t = json_dumps(j, JSON_COMPACT);
		int w = util_write_atomic(path, t, strlen(t));
		free(t);
		json_decref(j);
		if (w != 0) {
			util_error("cannot write %s: %s", path, strerror(errno));
			goto out;
		}
	}
	snprintf(path, sizeof path, "%s/prompts.jsonl", dir);
	if (jsonl_write(path, lines) != 0) {
		util_error("cannot write %s: %s", path, strerror(errno));
		goto out;
	}
	util_info("iteration %ld: stage %d, %zu problems%s%s", iter, p.stage, p.n,
		  p.note[0] ? ": " : "", p.note);
	rc = 0;
out:
	json_decref(lines);
	stage_plan_free(&p);
	return rc;
}

/* The completions of the round a record belongs to: an iteration of several rounds marks
 * each record with its "round" (orchestrate.c), whose completions are DIR/round-RR's, read
 * once into by_round under "round-RR"; else the iteration's own, compl. */
static json_t *round_completions(const char *dir, json_t *rec, json_t *compl, json_t *by_round)
{
	json_t *k = json_object_get(rec, "round"), *by;
	char key[32], path[PATH_MAX + 64];
	if (!json_is_integer(k))
		return compl;
	snprintf(key, sizeof key, "round-%02d", (int)json_integer_value(k));
	if ((by = json_object_get(by_round, key)))
		return by;
	by = json_object();
	snprintf(path, sizeof path, "%s/%s/completions.jsonl", dir, key);
	jsonl_read_by_id(path, by);
	json_object_set_new(by_round, key, by);
	return by;
}

/* How the archive names a sample: its id, after its round's directory when there are rounds
 * ("round-02/p1/3"), so that it can be found. */
static const char *sample_ref(json_t *rec, const char *key, char *buf, size_t len)
{
	json_t *k = json_object_get(rec, "round");
	const char *id = json_is_string(json_object_get(rec, "sample_id"))
				 ? json_string_value(json_object_get(rec, "sample_id"))
				 : key;
	if (!json_is_integer(k))
		return id;
	snprintf(buf, len, "round-%02d/%s", (int)json_integer_value(k), id ? id : "");
	return buf;
}

int sqd_update(struct sqd *q, long iter, const char *dir, json_t *results, struct iter_record *r)
{
	char path[PATH_MAX + 32];
	json_t *plan, *prompts, *compl = json_object(), *by_round = json_object(), *rec;
	struct stage_plan p = {0};
	size_t i, total;
	int improved = 0;

	if (iter > q->last_iter) {
		snprintf(path, sizeof path, "%s/plan.json", dir);
		plan = json_load_file(path, 0, NULL);
		p.stage = plan ? (int)json_integer_value(json_object_get(plan, "stage")) : q->stage;
		p.advance = plan ? json_is_true(json_object_get(plan, "advance")) : 0;
		json_decref(plan);
		snprintf(path, sizeof path, "%s/prompts.jsonl", dir);
		prompts = json_object();
		jsonl_read_key(path, "problem_id", prompts);
		snprintf(path, sizeof path, "%s/completions.jsonl", dir);
		jsonl_read_by_id(path, compl);
		json_array_foreach(results, i, rec) {
			const char *status = json_string_value(json_object_get(rec, "status"));
			char *pk = jsonl_id_key(json_object_get(rec, "problem_id"));
			char *sk = jsonl_id_key(json_object_get(rec, "sample_id"));
			json_t *pr = pk ? json_object_get(prompts, pk) : NULL;
			json_t *co = sk ? json_object_get(round_completions(dir, rec, compl, by_round), sk) : NULL;
			char ref[160];
			const char *text = json_string_value(json_object_get(co, "completion"));
			const char *shape = json_string_value(json_object_get(pr, "shape"));
			techset_t used;
			char err[200], techs[TECH_MAX * TECH_NAME_MAX], *code = NULL;
			const char *why;
			if (status && !strcmp(status, "ok") && shape && text &&
			    techset_from_json(q->cat, json_object_get(rec, "techniques"), &used, err,
					      sizeof err) == 0 &&
			    extract_code(text, strlen(text), &code, &why) == 0) {
				techset_format(q->cat, used & q->descriptor, techs, sizeof techs);
				improved += archive_offer(
					q->arc, shape, techs,
					json_number_value(json_object_get(rec, "gflops")),
					json_number_value(json_object_get(rec, "reward")), iter,
					sample_ref(rec, sk, ref, sizeof ref), code);
			}
			free(code);
			free(pk);
			free(sk);
		}
		json_decref(prompts);
		advance(&p, &q->stage, &q->stage_iterations);
		q->last_iter = iter;
		if (save_state(q) != 0) {
			json_decref(compl);
			json_decref(by_round);
			return -1;
		}
		util_info("iteration %ld: archive %zu cells (%d new or improved), next stage %d",
			  iter, archive_count(q->arc), improved, q->stage);
	} else {
		snprintf(path, sizeof path, "%s/plan.json", dir);
		plan = json_load_file(path, 0, NULL);
		p.stage = plan ? (int)json_integer_value(json_object_get(plan, "stage")) : q->stage;
		json_decref(plan);
	}
	json_decref(compl);
	json_decref(by_round);
	total = total_cells(q);
	r->stage = p.stage;
	r->coverage = archive_coverage(q->arc, total);
	r->qd_score = archive_qd_score(q->arc);
	return 0;
}

/* ---- preview --------------------------------------------------------------------------- */

int sqd_preview(struct sqd *q, const char *run_dir, long from, long to,
		void (*fn)(void *ctx, const struct sqd_preview_row *row), void *ctx)
{
	int stage = q->stage;
	long its = q->stage_iterations;
	char last_note[sizeof ((struct stage_plan *)0)->note] = "";
	/* Iterations already planned: what their prompts say. */
	for (long it = from; it <= to && it <= q->last_iter; it++) {
		char path[PATH_MAX + 64];
		json_t *lines, *o;
		size_t i;
		snprintf(path, sizeof path, "%s/iter-%04ld/prompts.jsonl", run_dir, it);
		if (!(lines = jsonl_read(path)))
			continue;
		json_array_foreach(lines, i, o) {
			const char *id = json_string_value(json_object_get(o, "problem_id"));
			const char *shape = json_string_value(json_object_get(o, "shape"));
			struct sqd_preview_row row = {
				.iter = it, .stage = (int)json_integer_value(json_object_get(o, "stage")),
				.plan = "run", .id = id ? id : "?", .shape = shape ? shape : "?",
				.permitted = json_object_get(o, "permitted"),
				.required = json_object_get(o, "required"),
				.elite = json_object_get(o, "elite") != NULL};
			fn(ctx, &row);
		}
		json_decref(lines);
	}
	/* The rest: as the script would plan them, if the archive stayed as it is. */
	for (long it = q->last_iter + 1; it <= to; it++) {
		struct stage_plan p;
		if (plan_for(q, it, stage, its, &p) != 0)
			return -1;
		if (it >= from) {
			/* The script's note when it changes, and where a stage ends. */
			if (p.note[0] && strcmp(p.note, last_note))
				fn(ctx, &(struct sqd_preview_row){.note = p.note});
			snprintf(last_note, sizeof last_note, "%s", p.note);
			for (size_t i = 0; i < p.n; i++) {
				json_t *perm = techset_json(q->cat, p.problems[i].permitted);
				json_t *req = techset_json(q->cat, p.problems[i].required);
				struct sqd_preview_row row = {
					.iter = it, .stage = p.stage,
					.plan = it == q->last_iter + 1 ? "next" : "preview",
					.advance = p.advance, .id = p.problems[i].id,
					.shape = p.problems[i].shape, .permitted = perm, .required = req,
					.elite = p.problems[i].elite};
				fn(ctx, &row);
				json_decref(perm);
				json_decref(req);
			}
			if (p.advance) {
				char note[96];
				snprintf(note, sizeof note, "stage %d ends here: the next iteration "
					 "starts stage %d", p.stage, p.stage + 1);
				fn(ctx, &(struct sqd_preview_row){.note = note});
			}

		}
		advance(&p, &stage, &its);
		stage_plan_free(&p);
	}
	return 0;
}
