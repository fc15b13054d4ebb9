/* cmd_stages.c - `perfrl stages`: the plan stages.lua makes, before anything is submitted. */
#include "config.h"
#include "commands.h"
#include "conf.h"
#include "sqd.h"
#include "table.h"
#include "util.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STAGES_DEFAULT_FORMAT "Iter,Stage,Plan,Problem,Shape,Permitted,Required,Elite"

static const char stages_usage[] =
	"usage: perfrl stages -c CONF [--iterations A-B] [--json | --format LIST [-p|-P] [-n]]\n"
	"       perfrl stages -c CONF --iterations N --write-prompts DIR\n"
	"\n"
	"Prints the SQD plan of CONF's stages.lua: per iteration, its stage and each problem's\n"
	"shape and permitted and required techniques. Iterations already run are shown from their\n"
	"prompts (Plan 'run'); the rest as the script would plan them if the archive stayed as it\n"
	"is ('next', 'preview'). Check an edit of stages.lua with it before perfrl run.\n"
	"\n"
	"  -c, --config CONF     the run's perfrl.conf\n"
	"  -i, --iterations A-B  the iterations to show (default: all of the run; 'N' is one)\n"
	"  -j, --json            one JSON object per problem and line\n"
	"      --format LIST     fields, each Name[%WIDTH] (WIDTH > 0 right-justifies, < 0\n"
	"                        left-justifies); names match by unique prefix, any case\n"
	"                        (default: " STAGES_DEFAULT_FORMAT ")\n"
	"      --helpformat      list the fields\n"
	"  -p, --parsable        the delimiter after every field, the last one included (and\n"
	"                        no notes between iterations)\n"
	"  -P, --parsable2       the delimiter between fields, not after the last one\n"
	"      --delimiter STR   with -p or -P: the delimiter (default '|')\n"
	"  -n, --noheader        no header\n"
	"  -w, --write-prompts DIR  write iteration N's prompts.jsonl (and plan.json, techniques.json)\n"
	"                        into DIR as perfrl run would, e.g. a held-out set for an LLM\n"
	"  -h, --help            this text\n"
	"\n"
	"Exit status: 0; 1 when the script fails (its error names the file and line); 2 for usage\n"
	"errors. See perfrl-stages(1) for the Lua API.\n";

/* ---- the plan's rows -------------------------------------------------------------------- */

/* A row as --json prints it: {iteration, stage, plan, problem_id, shape, permitted, required,
 * elite, advance}; a note between iterations is {note}. */
static json_t *row_json(const struct sqd_preview_row *r)
{
	if (r->note)
		return json_pack("{s:s}", "note", r->note);
	return json_pack("{s:I, s:i, s:s, s:s, s:s, s:O, s:O, s:b, s:b}", "iteration",
			 (json_int_t)r->iter, "stage", r->stage, "plan", r->plan, "problem_id", r->id,
			 "shape", r->shape, "permitted", r->permitted, "required", r->required,
			 "elite", r->elite, "advance", r->advance);
}

struct preview {
	int json;     /* print each problem as it comes */
	json_t *rows; /* else: every row, for the table */
};

static void on_row(void *ctx, const struct sqd_preview_row *r)
{
	struct preview *pv = ctx;
	if (!pv->json) {
		json_array_append_new(pv->rows, row_json(r));
	} else if (!r->note) {
		json_t *j = row_json(r);
		char *t = json_dumps(j, JSON_COMPACT);
		printf("%s\n", t);
		free(t);
		json_decref(j);
	}
}

/* ---- fields ---------------------------------------------------------------------------- */

static void p_iter(const void *row, const void *ctx, char *buf, size_t len)
{
	(void)ctx;
	snprintf(buf, len, "%lld", (long long)json_integer_value(json_object_get(row, "iteration")));
}

static void p_stage(const void *row, const void *ctx, char *buf, size_t len)
{
	(void)ctx;
	snprintf(buf, len, "%lld", (long long)json_integer_value(json_object_get(row, "stage")));
}

static void p_str(const void *row, const char *key, char *buf, size_t len)
{
	snprintf(buf, len, "%s", json_string_value(json_object_get(row, key)) ?: "");
}

static void p_plan(const void *row, const void *ctx, char *buf, size_t len)
{
	(void)ctx;
	p_str(row, "plan", buf, len);
}

static void p_problem(const void *row, const void *ctx, char *buf, size_t len)
{
	(void)ctx;
	p_str(row, "problem_id", buf, len);
}

static void p_shape(const void *row, const void *ctx, char *buf, size_t len)
{
	(void)ctx;
	p_str(row, "shape", buf, len);
}

/* Technique names, comma-separated; none is "-". */
static void p_names(const void *row, const char *key, char *buf, size_t len)
{
	size_t k, used = 0;
	json_t *v;
	buf[0] = '\0';
	json_array_foreach(json_object_get(row, key), k, v)
		if (used < len)
			used += (size_t)snprintf(buf + used, len - used, "%s%s", k ? "," : "",
						 json_string_value(v) ?: "");
	if (!buf[0])
		snprintf(buf, len, "-");
}

static void p_permitted(const void *row, const void *ctx, char *buf, size_t len)
{
	(void)ctx;
	p_names(row, "permitted", buf, len);
}

static void p_required(const void *row, const void *ctx, char *buf, size_t len)
{
	(void)ctx;
	p_names(row, "required", buf, len);
}

static void p_elite(const void *row, const void *ctx, char *buf, size_t len)
{
	(void)ctx;
	snprintf(buf, len, "%s", json_is_true(json_object_get(row, "elite")) ? "elite" : "");
}

static void p_advance(const void *row, const void *ctx, char *buf, size_t len)
{
	(void)ctx;
	snprintf(buf, len, "%s", json_is_true(json_object_get(row, "advance")) ? "yes" : "");
}

/* The technique lists are never cut: their columns widen to the longest. */
static const struct table_field stages_fields[] = {
	{"Iter", 5, p_iter, 0},
	{"Stage", 5, p_stage, 0},
	{"Plan", -9, p_plan, 0},
	{"Problem", -40, p_problem, 0},
	{"Shape", -14, p_shape, TABLE_NOCUT},
	{"Permitted", -52, p_permitted, TABLE_NOCUT},
	{"Required", -8, p_required, TABLE_NOCUT},
	{"Elite", -5, p_elite, 0},
	{"Advance", -7, p_advance, 0},
};

/* The table, the script's notes between the iterations (fixed width only). */
static void print_table(struct table *t, json_t *rows)
{
	size_t n = json_array_size(rows), np = 0;
	const void **problems = calloc(n ? n : 1, sizeof *problems);
	json_t *r;
	size_t i;

	json_array_foreach(rows, i, r)
		if (!json_object_get(r, "note"))
			problems[np++] = r;
	table_fit(t, problems, np);
	free(problems);
	table_header(t);
	json_array_foreach(rows, i, r) {
		const char *note = json_string_value(json_object_get(r, "note"));
		if (note) {
			char line[512];
			snprintf(line, sizeof line, "%5s %5s (%s)", "", "", note);
			table_note(t, line);
		} else {
			table_row(t, r);
		}
	}
}

static int parse_range(const char *s, long *from, long *to)
{
	char *end;
	errno = 0;
	*from = strtol(s, &end, 10);
	if (errno || end == s || *from < 1)
		return -1;
	if (*end == '\0') {
		*to = *from;
		return 0;
	}
	if (*end != '-')
		return -1;
	s = end + 1;
	*to = strtol(s, &end, 10);
	return errno || end == s || *end || *to < *from ? -1 : 0;
}

int cmd_stages(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"iterations", required_argument, NULL, 'i'},
		{"json", no_argument, NULL, 'j'},
		{"write-prompts", required_argument, NULL, 'w'},
		TABLE_LONG_OPTIONS,
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *conf = NULL, *write_dir = NULL;
	long from = 1, to = -1;
	int json = 0, c, rc = 1;
	char err[512], run_dir[PATH_MAX], state_dir[PATH_MAX + 8], cwd[PATH_MAX];
	struct perfrl_config cfg;
	struct sqd *q = NULL;
	struct table_opts topts = {0};
	struct table t;
	struct preview pv = {0};

	optind = 1;
	while ((c = getopt_long(argc, argv, "c:i:jw:h" TABLE_SHORT_OPTIONS, opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			conf = optarg;
			break;
		case 'i':
			if (parse_range(optarg, &from, &to) != 0) {
				fprintf(stderr, "perfrl stages: bad --iterations '%s' (want A-B or N, from 1)\n",
					optarg);
				return 2;
			}
			break;
		case 'j':
			json = 1;
			break;
		case 'w':
			write_dir = optarg;
			break;
		case 'h':
			fputs(stages_usage, stdout);
			return 0;
		default:
			if (table_option(&topts, c, optarg))
				break;
			fputs(stages_usage, stderr);
			return 2;
		}
	}
	table_init(&t, stages_fields, sizeof stages_fields / sizeof stages_fields[0], &topts, stdout);
	if (topts.helpformat) {
		table_helpformat(&t, stdout);
		return 0;
	}
	if ((json || write_dir) && table_opts_given(&topts)) {
		fprintf(stderr, "perfrl stages: --format, -p, -P, --delimiter and -n are for the "
			"table: not with %s\n", json ? "--json" : "--write-prompts");
		return 2;
	}
	if (!conf || optind < argc) {
		fputs(stages_usage, stderr);
		return 2;
	}
	if (write_dir && (to < 0 || from != to)) {
		fprintf(stderr, "perfrl stages: --write-prompts needs --iterations N (one iteration)\n");
		return 2;
	}
	if (table_format(&t, topts.format ? topts.format : STAGES_DEFAULT_FORMAT, err,
			 sizeof err) != 0) {
		fprintf(stderr, "perfrl stages: --format: %s\n", err);
		table_free(&t);
		return 2;
	}
	if (config_load(conf, &cfg, err, sizeof err) != 0) {
		util_error("%s", err);
		table_free(&t);
		return 2;
	}
	if (!getcwd(cwd, sizeof cwd) ||
	    util_pathf(run_dir, sizeof run_dir, "%s%s%s", cfg.run_dir[0] == '/' ? "" : cwd,
		       cfg.run_dir[0] == '/' ? "" : "/", cfg.run_dir) != 0) {
		util_error("run_dir too long");
		goto out;
	}
	snprintf(state_dir, sizeof state_dir, "%s/state", run_dir);
	if (to < 0)
		to = cfg.iterations;
	if (sqd_open(&cfg, state_dir, &q) != 0)
		goto out;
	if (write_dir) {
		int stage;
		char prompts[PATH_MAX + 16];
		snprintf(prompts, sizeof prompts, "%s/prompts.jsonl", write_dir);
		if (mkdir(write_dir, 0777) != 0 && errno != EEXIST) {
			util_error("cannot create %s: %s", write_dir, strerror(errno));
			goto out;
		}
		if (access(prompts, F_OK) == 0) {
			util_error("%s exists: perfrl stages writes prompts only into a new place", prompts);
			goto out;
		}
		rc = sqd_prepare(q, from, write_dir, &stage) == 0 ? 0 : 1;
		goto out;
	}
	pv.json = json;
	pv.rows = json_array();
	rc = sqd_preview(q, run_dir, from, to, on_row, &pv) == 0 ? 0 : 1;
	if (rc == 0 && !json)
		print_table(&t, pv.rows);
	json_decref(pv.rows);
out:
	sqd_close(q);
	config_free(&cfg);
	table_free(&t);
	return rc;
}
