/* test_sqd.c - the orchestrator's SQD side without a cluster: an iteration's prompts from the
 * shipped stages.lua, its ok kernels into the archive, and what a resumed orchestrator sees
 * (a kept prompts file, an update done once, the state read back from RUN/state). */
#include "config.h"
#include "../lib/check.h"
#include "conf.h"
#include "jsonl.h"
#include "sqd.h"
#include "util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *slurp(const char *path)
{
	size_t len;
	char *s = util_read_file(path, 0, &len);
	return s ? s : util_xstrdup("");
}

/* The first prompt's problem_id and shape. */
static void first_prompt(const char *dir, char *id, size_t idlen, char *shape, size_t shlen)
{
	char path[4400];
	json_t *lines, *l;
	snprintf(path, sizeof path, "%s/prompts.jsonl", dir);
	lines = jsonl_read(path);
	l = json_array_get(lines, 0);
	snprintf(id, idlen, "%s", json_string_value(json_object_get(l, "problem_id")) ?: "");
	snprintf(shape, shlen, "%s", json_string_value(json_object_get(l, "shape")) ?: "");
	json_decref(lines);
}

int main(void)
{
	const char *top = getenv("top_srcdir");
	char tmpl[] = "/tmp/perfrl-test-sqd.XXXXXX", state[4200], dir1[4200], dir2[4200], path[4300];
	char id[256], shape[64], *prompts1, *archive1, *again;
	struct perfrl_config cfg;
	struct sqd *q = NULL;
	struct iter_record r, r2;
	json_t *results, *comp;
	int stage = 0;
	FILE *f;

	if (!top || !*top)
		top = PERFRL_SRCDIR;
	CHECK(mkdtemp(tmpl) != NULL);
	snprintf(state, sizeof state, "%s/state", tmpl);
	snprintf(dir1, sizeof dir1, "%s/iter-0001", tmpl);
	snprintf(dir2, sizeof dir2, "%s/iter-0002", tmpl);
	CHECK(util_mkdirs(state, 0755) == 0 && util_mkdirs(dir1, 0755) == 0 &&
	      util_mkdirs(dir2, 0755) == 0);

	config_defaults(&cfg);
	free(cfg.stages);
	cfg.stages = util_xasprintf("%s/stages.lua", top);
	cfg.iterations = 3;

	/* iteration 1: its prompts, from the shipped curriculum */
	CHECK(sqd_open(&cfg, state, &q) == 0);
	CHECK(q && sqd_prepare(q, 1, dir1, &stage) == 0);
	CHECK(stage == 1);
	snprintf(path, sizeof path, "%s/plan.json", dir1);
	CHECK(access(path, R_OK) == 0);
	first_prompt(dir1, id, sizeof id, shape, sizeof shape);
	CHECK(id[0] && strchr(shape, 'x'));
	snprintf(path, sizeof path, "%s/prompts.jsonl", dir1);
	prompts1 = slurp(path);
	CHECK(strlen(prompts1) > 0);

	/* one ok kernel and one failure come back */
	snprintf(path, sizeof path, "%s/completions.jsonl", dir1);
	f = fopen(path, "w");
	CHECK(f != NULL);
	comp = json_pack("{s:s, s:s, s:s}", "sample_id", "s1", "problem_id", id, "completion",
			 "void dgemm(int m, int n, int k, const double *A, const double *B, double *C)\n"
			 "{ for (int i = 0; i < m * n; i++) C[i] = 0; }\n");
	json_dumpf(comp, f, JSON_COMPACT);
	fputc('\n', f);
	json_decref(comp);
	comp = json_pack("{s:s, s:s, s:s}", "sample_id", "s2", "problem_id", id, "completion", "no code");
	json_dumpf(comp, f, JSON_COMPACT);
	fputc('\n', f);
	json_decref(comp);
	fclose(f);
	results = json_pack("[{s:s, s:s, s:s, s:f, s:f, s:[]}, {s:s, s:s, s:s, s:f}]", "sample_id", "s1",
			    "problem_id", id, "status", "ok", "gflops", 5.0, "reward", 5.0,
			    "techniques", "sample_id", "s2", "problem_id", id, "status", "rejected",
			    "reward", -100.0);
	memset(&r, 0, sizeof r);
	r.iter = 1;
	CHECK(sqd_update(q, 1, dir1, results, &r) == 0);
	CHECK(r.stage == 1);
	CHECK(r.coverage > 0 && r.coverage <= 1);
	CHECK(r.qd_score > 0);
	snprintf(path, sizeof path, "%s/archive.json", state);
	archive1 = slurp(path);
	CHECK(strstr(archive1, "\"s1\"") != NULL || strstr(archive1, "s1") != NULL);
	CHECK(strstr(archive1, shape) != NULL);

	/* a resumed update changes nothing: the archive is not offered the same kernel twice */
	r2 = r;
	CHECK(sqd_update(q, 1, dir1, results, &r2) == 0);
	again = slurp(path);
	CHECK_STR(again, archive1);
	free(again);
	sqd_close(q);
	q = NULL;

	/* a restarted orchestrator: the state is read back, iteration 1's prompts are kept */
	CHECK(sqd_open(&cfg, state, &q) == 0);
	CHECK(q && sqd_prepare(q, 1, dir1, &stage) == 0);
	snprintf(path, sizeof path, "%s/prompts.jsonl", dir1);
	again = slurp(path);
	CHECK_STR(again, prompts1);
	free(again);
	CHECK(sqd_prepare(q, 2, dir2, &stage) == 0);
	CHECK(stage >= 1);
	snprintf(path, sizeof path, "%s/prompts.jsonl", dir2);
	CHECK(access(path, R_OK) == 0);
	r2 = r;
	CHECK(sqd_update(q, 1, dir1, results, &r2) == 0); /* still done once */
	snprintf(path, sizeof path, "%s/archive.json", state);
	again = slurp(path);
	CHECK_STR(again, archive1);
	free(again);
	sqd_close(q);

	json_decref(results);
	free(prompts1);
	free(archive1);
	config_free(&cfg);
	util_rmtree(tmpl);
	return CHECK_DONE();
}
