/* gpu_fixed.c - `perfrl gpu-step --fixed`: a stand-in GPU step that answers every prompt
 * with shipped example kernels (gpu_step.command = "fixed"). It learns nothing, but it keeps
 * to each problem's permitted techniques (SQD) when some example does; the orchestration can
 * be tried without a policy. */
#include "config.h"
#include "catalogue.h"
#include "commands.h"
#include "iterlog.h"
#include "datadir.h"
#include "jsonl.h"
#include "techniques.h"
#include "util.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <limits.h>
#include <unistd.h>

static const char gpu_usage[] =
	"usage: perfrl gpu-step --fixed --iter-dir DIR [--group-size G] [--rounds R]\n"
	"       perfrl gpu-step --builtin ... | --sample ...   (see perfrl gpu-step --builtin --help)\n"
	"       perfrl gpu-step --trl --python PY ...   (runs jobs/trl_driver.py with the rest)\n"
	"\n"
	"The GPU step of one iteration (het group 0). --fixed answers each prompt in\n"
	"DIR/prompts.jsonl with G completions drawn from the shipped example kernels and\n"
	"writes DIR/completions.jsonl atomically: the examples that use only the problem's\n"
	"permitted techniques (all of them when none does), and one answer without code.\n"
	"A completions file that already exists is kept (a requeued job does not generate twice).\n"
	"--rounds R (R > 1): the same for each round's directory, DIR/round-RR.\n";

/* The kernels it cycles through: a mix of speeds, and (NULL) an answer with no code. */
static const char *const kernels[] = {
	"examples/naive.c", "examples/reorder.c", "examples/openmp.c", "examples/simd.c",
	"examples/blocked.c", NULL,
};

/* One round's completions: DIR's prompts answered G times each. */
static int fixed_round(const char *dir, int group)
{
	int n = 0, rc = 1;
	char *prompts_path, *out_path, *text = NULL;
	json_t *texts[sizeof kernels / sizeof *kernels] = {NULL}, *out = NULL;
	techset_t used[sizeof kernels / sizeof *kernels] = {0};
	struct catalogue *cat = catalogue_new();
	size_t len;

	prompts_path = util_xasprintf("%s/prompts.jsonl", dir);
	out_path = util_xasprintf("%s/completions.jsonl", dir);
	if (access(out_path, F_OK) == 0) {
		util_info("gpu-step: %s exists (a requeued job): kept", out_path);
		rc = 0;
		goto out;
	}
	{
		/* The techniques stages.lua added, as the orchestrator wrote them. */
		char *cpath = util_xasprintf("%s/techniques.json", dir), err[200];
		json_t *arr = json_load_file(cpath, 0, NULL);
		if (arr && catalogue_load_json(cat, arr, err, sizeof err) != 0)
			util_info("gpu-step: %s: %s (built-in techniques only)", cpath, err);
		json_decref(arr);
		free(cpath);
	}
	for (size_t k = 0; k < sizeof kernels / sizeof *kernels; k++) {
		char *src;
		if (!kernels[k]) {
			texts[k] = json_string("I would use cache blocking and OpenMP for this.");
			continue;
		}
		src = util_read_file(datadir_path(kernels[k]), 1 << 20, &len);
		if (!src) {
			util_error("cannot read %s: %s", datadir_path(kernels[k]), strerror(errno));
			goto out;
		}
		texts[k] = json_sprintf("Here is an implementation.\n\n```c\n%s```\n", src);
		{
			char why[200];
			if (techniques_detect(cat, src, len, &used[k], NULL, why, sizeof why) != 0)
				used[k] = ~0u; /* unknown: never chosen as compliant */
		}
		free(src);
	}
	text = util_read_file(prompts_path, 0, &len);
	if (!text) {
		util_error("cannot read %s: %s", prompts_path, strerror(errno));
		goto out;
	}
	out = json_array();
	for (char *save = NULL, *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		json_t *p = json_loads(line, 0, NULL), *pid;
		if (!p || !(pid = json_object_get(p, "problem_id"))) {
			util_error("%s: a line without problem_id", prompts_path);
			json_decref(p);
			goto out;
		}
		size_t pick[sizeof kernels / sizeof *kernels], npick = 0;
		techset_t perm = ~0u, req = 0;
		char err[200];
		if (json_object_get(p, "permitted") &&
		    (techset_from_json(cat, json_object_get(p, "permitted"), &perm, err, sizeof err) != 0 ||
		     techset_from_json(cat, json_object_get(p, "required"), &req, err, sizeof err) != 0))
			perm = ~0u, req = 0; /* a technique only stages.lua knows: any example */
		for (size_t k = 0; k < sizeof kernels / sizeof *kernels; k++)
			if (kernels[k] && !(used[k] & ~perm) && (used[k] & req) == req)
				pick[npick++] = k;
		if (npick == 0)
			for (size_t k = 0; k < sizeof kernels / sizeof *kernels; k++)
				if (kernels[k])
					pick[npick++] = k;
		pick[npick++] = sizeof kernels / sizeof *kernels - 1; /* the answer without code */
		for (int g = 0; g < group; g++, n++) {
			char sid[64];
			json_t *rec;
			snprintf(sid, sizeof sid, "%s/%d", json_string_value(pid) ? json_string_value(pid) : "p", g);
			rec = json_pack("{s:s, s:O, s:O, s:i}", "sample_id", sid, "problem_id", pid,
					"completion", texts[pick[(size_t)n % npick]], "group_index", g);
			if (json_object_get(p, "shape"))
				json_object_set(rec, "shape", json_object_get(p, "shape"));
			json_array_append_new(out, rec);
		}
		json_decref(p);
	}
	if (jsonl_write(out_path, out) != 0) {
		util_error("cannot write %s: %s", out_path, strerror(errno));
		goto out;
	}
	util_info("gpu-step: wrote %d completions to %s", n, out_path);
	rc = 0;
out:
	for (size_t k = 0; k < sizeof kernels / sizeof *kernels; k++)
		json_decref(texts[k]);
	json_decref(out);
	free(text);
	free(prompts_path);
	free(out_path);
	catalogue_free(cat);
	return rc;
}

int gpu_fixed_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"fixed", no_argument, NULL, 'f'},
		{"iter-dir", required_argument, NULL, 'd'},
		{"group-size", required_argument, NULL, 'g'},
		{"rounds", required_argument, NULL, 'r'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *dir = NULL;
	int fixed = 0, group = 4, rounds = 1, c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			fixed = 1;
			break;
		case 'd':
			dir = optarg;
			break;
		case 'g': {
			long v;
			if (util_parse_long(optarg, 1, 1024, &v) != 0)
				return util_usage_error("bad --group-size '%s' (1 to 1024)", optarg);
			group = (int)v;
			break;
		}
		case 'r': {
			long v;
			if (util_parse_long(optarg, 1, ITERLOG_ROUNDS_MAX, &v) != 0)
				return util_usage_error("bad --rounds '%s' (1 to %d)", optarg,
							ITERLOG_ROUNDS_MAX);
			rounds = (int)v;
			break;
		}
		case 'h':
			fputs(gpu_usage, stdout);
			return 0;
		default:
			fputs(gpu_usage, stderr);
			return 2;
		}
	}
	if (!fixed || !dir) {
		fputs(gpu_usage, stderr);
		return 2;
	}
	for (int k = 1; k <= rounds; k++) {
		char rd[PATH_MAX];
		if (iterlog_round_dir(rd, sizeof rd, dir, k, rounds) != 0)
			return util_error("--iter-dir too long"), 1;
		if (fixed_round(rd, group) != 0)
			return 1;
	}
	return 0;
}
