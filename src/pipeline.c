/* pipeline.c - one completion's path to its record: extract, policy, techniques and the
 * problem's rule (admit), build, time (alone or interleaved with its group), reward, record.
 * perfrl bench (cmd_bench.c) drives it over files and completions; this file is the reward. */
#include "config.h"
#include "pipeline.h"
#include "extract.h"
#include "policy.h"
#include "record.h"
#include "techniques.h"
#include "util.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * What a sample must pass before it is built: code extracted, the text policy, the technique
 * detector, and its problem's rule. 0 with *code (malloc'd) when it may be built; -1 with the
 * reason in *detail (why's buffer or a static string) when it is rejected. *used and *detected
 * say what the detector found, when it ran.
 */
static int admit(const struct pipeline *p, const char *text, size_t len, const struct constraint *con,
		 char **code, techset_t *used, int *detected, const char **detail, char *why,
		 size_t whylen)
{
	*code = NULL;
	*detected = 0;
	if (extract_code(text, len, code, detail) != 0)
		return -1;
	*detail = why;
	if (policy_check(*code, strlen(*code), why, whylen) != 0 ||
	    techniques_detect(p->cat, *code, strlen(*code), used, NULL, why, whylen) != 0)
		goto rejected;
	*detected = 1;
	if (con && con->error) {
		*detail = con->error;
		goto rejected;
	}
	/* SQD: the techniques are part of the task */
	if (con && techniques_comply(p->cat, *used, con->permitted, con->required, why, whylen) != 0)
		goto rejected;
	return 0;
rejected:
	free(*code);
	*code = NULL;
	return -1;
}


/* Admit and build (from the cache, once prebuild has run). 0 with e->timed when it is to be
 * timed, else e->in says why not; -1 on an infrastructure failure (already reported). */
int pipeline_prepare(struct pipeline *p, const char *text, size_t len, const char *file,
		   json_t *sample_id, json_t *problem_id, const struct measure_opts *mo,
		   const struct constraint *con, struct pipeline_item *e)
{
	char *code = NULL;

	memset(e, 0, sizeof *e);
	e->in.file = file;
	e->in.sample_id = sample_id;
	e->in.problem_id = problem_id;
	e->in.opts = mo;
	e->in.reward_mode = reward_mode_name(p->reward);
	e->in.reference_gflops = p->reference_gflops;

	if (admit(p, text, len, con, &code, &e->used, &e->detected, &e->in.detail, e->why,
		  sizeof e->why) != 0) {
		e->in.status = STATUS_REJECTED;
	} else if (build_kernel(code, strlen(code), &p->build, &e->br) != 0) {
		free(code);
		return -1;
	} else {
		e->in.build = &e->br;
		e->in.status = e->br.status;
		e->in.detail = e->br.detail;
		e->timed = e->br.status == STATUS_OK;
	}
	free(code);
	return 0;
}

/*
 * Time the built ones among es[0..n), which share their shapes: interleaved as one group
 * (--interleave), or one after another. 0, or -1 on an infrastructure failure (reported).
 */
int pipeline_time(const struct pipeline *p, struct pipeline_item *es, int n, const struct measure_opts *mo)
{
	const char **paths = util_xcalloc((size_t)n + 1, sizeof *paths);
	struct measurement *ms = util_xcalloc((size_t)n + 1, sizeof *ms);
	int *idx = util_xcalloc((size_t)n + 1, sizeof *idx), k = 0, rc = 0;

	for (int i = 0; i < n; i++)
		if (es[i].timed) {
			idx[k] = i;
			paths[k++] = es[i].br.so_path;
		}
	if (p->interleave) {
		rc = measure_group(paths, k, mo, ms);
	} else {
		for (int j = 0; j < k && rc == 0; j++)
			rc = measure_kernel(paths[j], mo, &ms[j]);
	}
	for (int j = 0; j < k && rc == 0; j++)
		es[idx[j]].m = ms[j];
	free(paths);
	free(ms);
	free(idx);
	return rc;
}

/* Its record, once its timing (if any) is done. */
json_t *pipeline_conclude(const struct pipeline *p, struct pipeline_item *e)
{
	json_t *rec;
	if (e->timed) {
		e->in.measure = &e->m;
		e->in.status = e->m.status;
		e->in.detail = e->m.detail;
	}
	e->in.reward = reward_of(e->in.status, e->in.measure ? e->in.measure->gflops : 0, p->reward,
				 p->reference_gflops);
	rec = record_make(&e->in);
	if (e->detected)
		json_object_set_new(rec, "techniques", techset_json(p->cat, e->used));
	return rec;
}

/* REWARD_RATIO: measure perfrl's reference kernel once, on this node, with these options. */
int pipeline_reference(struct pipeline *p)
{
	struct build_result br;
	struct measurement m;
	if (p->reward != REWARD_RATIO)
		return 0;
	util_info("measuring the reference kernel for --reward ratio");
	if (build_kernel(reward_reference_source, strlen(reward_reference_source), &p->build, &br) != 0)
		return -1;
	if (br.status != STATUS_OK)
		return util_error("the reference kernel did not build: %s", br.detail);
	if (measure_kernel(br.so_path, &p->measure, &m) != 0)
		return -1;
	if (m.status != STATUS_OK)
		return util_error("the reference kernel failed: %s", m.detail);
	p->reference_gflops = m.gflops;
	return 0;
}

/*
 * Build in parallel, one compiler per core, so that the timed phase finds every kernel in
 * the cache. Timing stays exclusive (one kernel, or one interleaved group). texts[i] NULL: nothing to build; cons
 * (NULL, or NULL entries: no rule) the samples' rules, so that what prepare will reject is
 * not compiled. Once it has run, --no-cache has been honoured: the timed phase may use what
 * it built.
 */
int pipeline_prebuild(struct pipeline *p, const char *const *texts, const struct constraint *const *cons,
		    int n, int jobs)
{
	pid_t *kids;
	if (n < 2 || jobs < 2)
		return 0; /* nothing to overlap: the build happens on the way to the timing */
	kids = util_xcalloc((size_t)jobs, sizeof *kids);
	fflush(NULL);
	for (int w = 0; w < jobs; w++) {
		kids[w] = fork();
		if (kids[w] == 0) {
			util_quiet = 1;
			for (int i = w; i < n; i += jobs) {
				char *code = NULL, why[300];
				const char *x;
				techset_t used;
				int detected;
				struct build_result br;
				if (!texts[i] || admit(p, texts[i], strlen(texts[i]), cons ? cons[i] : NULL,
						       &code, &used, &detected, &x, why, sizeof why) != 0)
					continue;
				(void)build_kernel(code, strlen(code), &p->build, &br);
				free(code);
			}
			_exit(0);
		}
	}
	for (int w = 0; w < jobs; w++)
		if (kids[w] > 0)
			waitpid(kids[w], NULL, 0);
	free(kids);
	p->build.no_cache = 0;
	return 1;
}

