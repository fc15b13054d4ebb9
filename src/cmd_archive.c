/* cmd_archive.c - `perfrl archive`: the quality-diversity archive's cells, in sacct's formats,
 * and the source of any cell's elite. */
#include "config.h"
#include "archive.h"
#include "commands.h"
#include "conf.h"
#include "table.h"
#include "util.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ARCHIVE_DEFAULT_FORMAT "Cell,Shape,Techniques,GFLOPS,Reward,Found,Improved,Offers,Sample"
#define SUGGEST_MAX 5 /* cell names an unknown --show name is answered with */

static const char archive_usage[] =
	"usage: perfrl archive [-c CONF] [--json | --format LIST [-p|-P] [-n] [--delimiter STR]]\n"
	"       perfrl archive [-c CONF] --show CELL\n"
	"\n"
	"The quality-diversity archive of a run (RUN/state/archive.json): the best kernel of\n"
	"every cell, a cell being a problem shape and the techniques its kernel uses.\n"
	"\n"
	"  -c, --config FILE      the run directory of this configuration (perfrl.conf(5));\n"
	"                         without it, the default run directory 'run'\n"
	"      --json             one JSON object per cell and line (the source left out)\n"
	"      --format LIST      fields, each Name[%WIDTH] (WIDTH > 0 right-justifies, < 0\n"
	"                         left-justifies); names match by unique prefix, any case\n"
	"                         (default: " ARCHIVE_DEFAULT_FORMAT ")\n"
	"      --helpformat       list the fields\n"
	"  -p, --parsable         the delimiter after every field, the last one included\n"
	"  -P, --parsable2        the delimiter between fields, not after the last one\n"
	"      --delimiter STR    with -p or -P: the delimiter (default '|')\n"
	"  -n, --noheader         no header (and no summary line)\n"
	"      --show CELL        print the C source of the cell's elite (CELL: SHAPE/TECHS,\n"
	"                         as listed)\n"
	"  -h, --help             this text\n"
	"\n"
	"Exit status: 0, 1 when the archive cannot be read or CELL is unknown, 2 for usage\n"
	"errors. See perfrl-archive(1).\n";

static int archive_error(const char *fmt, ...) UTIL_PRINTF(1, 2);
static int archive_error(const char *fmt, ...)
{
	va_list ap;
	fputs("perfrl archive: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

/* ---- fields ---------------------------------------------------------------------------- */

/* Each printer writes one cell of an archive cell (a struct archive_cell). */

static void p_cell(const void *row, const void *ctx, char *buf, size_t len)
{
	const struct archive_cell *c = row;
	(void)ctx;
	archive_cell_name(c, buf, len);
}

static void p_shape(const void *row, const void *ctx, char *buf, size_t len)
{
	const struct archive_cell *c = row;
	(void)ctx;
	snprintf(buf, len, "%s", c->shape);
}

static void p_techs(const void *row, const void *ctx, char *buf, size_t len)
{
	const struct archive_cell *c = row;
	(void)ctx;
	snprintf(buf, len, "%s", c->techs);
}

static void p_gflops(const void *row, const void *ctx, char *buf, size_t len)
{
	const struct archive_cell *c = row;
	(void)ctx;
	snprintf(buf, len, "%.2f", c->gflops);
}

static void p_reward(const void *row, const void *ctx, char *buf, size_t len)
{
	const struct archive_cell *c = row;
	(void)ctx;
	snprintf(buf, len, "%.2f", c->reward);
}

static void p_found(const void *row, const void *ctx, char *buf, size_t len)
{
	const struct archive_cell *c = row;
	(void)ctx;
	snprintf(buf, len, "%ld", c->found_iter);
}

static void p_improved(const void *row, const void *ctx, char *buf, size_t len)
{
	const struct archive_cell *c = row;
	(void)ctx;
	snprintf(buf, len, "%ld", c->improved_iter);
}

static void p_offers(const void *row, const void *ctx, char *buf, size_t len)
{
	const struct archive_cell *c = row;
	(void)ctx;
	snprintf(buf, len, "%ld", c->offers);
}

static void p_sample(const void *row, const void *ctx, char *buf, size_t len)
{
	const struct archive_cell *c = row;
	(void)ctx;
	snprintf(buf, len, "%s", c->sample_id ? c->sample_id : "");
}

/* The fields. Cell is the name --show takes: its column widens to the longest name instead of
 * cutting one. */
static const struct table_field archive_fields[] = {
	{"Cell", -24, p_cell, TABLE_NOCUT},
	{"Shape", -14, p_shape, 0},
	{"Techniques", -28, p_techs, 0},
	{"GFLOPS", 10, p_gflops, 0},
	{"Reward", 10, p_reward, 0},
	{"Found", 6, p_found, 0},
	{"Improved", 8, p_improved, 0},
	{"Offers", 6, p_offers, 0},
	{"Sample", -16, p_sample, 0},
};
#define NFIELDS (sizeof archive_fields / sizeof archive_fields[0])

static json_t *row_json(const struct archive_cell *c)
{
	char name[TECH_MAX * TECH_NAME_MAX + 64];
	archive_cell_name(c, name, sizeof name);
	return json_pack("{s:s, s:s, s:s, s:f, s:f, s:I, s:I, s:I, s:s}", "cell", name, "shape",
			 c->shape, "techs", c->techs, "gflops", c->gflops, "reward", c->reward,
			 "found_iter", (json_int_t)c->found_iter, "improved_iter",
			 (json_int_t)c->improved_iter, "offers", (json_int_t)c->offers,
			 "sample_id", c->sample_id ? c->sample_id : "");
}

/* Within a shape (the archive already orders shapes), the fastest first. */
static int by_gflops_desc(const void *x, const void *y)
{
	const struct archive_cell *a = *(const struct archive_cell *const *)x;
	const struct archive_cell *b = *(const struct archive_cell *const *)y;
	if (a->gflops != b->gflops)
		return a->gflops > b->gflops ? -1 : 1;
	return strcmp(a->techs, b->techs);
}

static const struct archive_cell **rows_sorted(const struct archive *a)
{
	size_t n = archive_count(a);
	const struct archive_cell **rows = util_xcalloc(n ? n : 1, sizeof *rows);
	for (size_t i = 0; i < n; i++)
		rows[i] = archive_cell(a, i);
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i + 1; j < n && !strcmp(rows[j]->shape, rows[i]->shape); j++)
			;
		qsort(rows + i, j - i, sizeof *rows, by_gflops_desc);
	}
	return rows;
}

/* total_cells from RUN/state/sqd.json (the orchestrator's): 0 with *known = 1, or *known = 0
 * when there is no such file yet. A file that does not parse is said on stderr. */
static long long sqd_total_cells(const char *state_dir, int *known)
{
	char path[PATH_MAX];
	json_error_t jerr;
	json_t *root, *total;
	long long t = 0;

	*known = 0;
	if (util_pathf(path, sizeof path, "%s/sqd.json", state_dir) != 0 ||
	    (access(path, F_OK) != 0 && errno == ENOENT))
		return 0;
	root = json_load_file(path, 0, &jerr);
	if (!root) {
		fprintf(stderr, "perfrl archive: %s: %s; coverage not shown\n", path, jerr.text);
		return 0;
	}
	total = json_object_get(root, "total_cells");
	if (json_is_integer(total) && json_integer_value(total) >= 0) {
		t = json_integer_value(total);
		*known = 1;
	} else {
		fprintf(stderr, "perfrl archive: %s: \"total_cells\" is missing or not an integer "
			">= 0; coverage not shown\n", path);
	}
	json_decref(root);
	return t;
}

static int list(struct table *t, const struct archive *a, const char *state_dir, int json)
{
	const struct archive_cell **rows = rows_sorted(a);
	size_t n = archive_count(a);

	if (json) {
		for (size_t i = 0; i < n; i++) {
			json_t *j = row_json(rows[i]);
			char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
			if (s)
				fprintf(t->out, "%s\n", s);
			free(s);
			json_decref(j);
		}
		free(rows);
		return 0;
	}

	table_fit(t, (const void *const *)rows, n);
	table_header(t);
	for (size_t i = 0; i < n; i++)
		table_row(t, rows[i]);
	free(rows);

	if (!t->noheader && t->mode == TABLE_FIXED) {
		int known;
		long long total = sqd_total_cells(state_dir, &known);
		fprintf(t->out, "%zu cell%s; coverage ", n, n == 1 ? "" : "s");
		if (known)
			fprintf(t->out, "%.1f%% of %lld", 100.0 * archive_coverage(a, (size_t)total),
				total);
		else
			fputc('-', t->out);
		fprintf(t->out, "; QD-score %.2f\n", archive_qd_score(a));
	}
	return 0;
}

/* ---- --show ---------------------------------------------------------------------------- */

/* Levenshtein distance: how far a name the user typed is from a cell's. */
static size_t distance(const char *s, const char *t)
{
	size_t ls = strlen(s), lt = strlen(t), *row = util_xcalloc(lt + 1, sizeof *row), d;
	for (size_t j = 0; j <= lt; j++)
		row[j] = j;
	for (size_t i = 1; i <= ls; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lt; j++) {
			size_t up = row[j], best = diag + (s[i - 1] != t[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	d = row[lt];
	free(row);
	return d;
}

/* Technique lists as sets ('+' or ',' between names, "none" empty): how many names only one
 * of them has, and how many both have. */
static void set_distance(const char *x, const char *y, size_t *differ, size_t *shared)
{
	char *cx = util_xstrdup(x), *cy = util_xstrdup(y), *save = NULL;
	size_t nx = 0, ny = 0;
	*shared = 0;
	for (char *t = strtok_r(cx, "+,", &save); t; t = strtok_r(NULL, "+,", &save)) {
		char *save2 = NULL, *copy;
		if (!strcmp(t, "none"))
			continue;
		nx++;
		copy = util_xstrdup(y);
		for (char *u = strtok_r(copy, "+,", &save2); u; u = strtok_r(NULL, "+,", &save2))
			if (!strcmp(t, u)) {
				(*shared)++;
				break;
			}
		free(copy);
	}
	for (char *u = strtok_r(cy, "+,", &save); u; u = strtok_r(NULL, "+,", &save))
		ny += strcmp(u, "none") != 0;
	*differ = nx + ny - 2 * *shared;
	free(cx);
	free(cy);
}

struct candidate {
	const struct archive_cell *cell;
	size_t differ, shared, dist, order;
};

/* Fewest techniques apart, then most in common, then fewest edits. */
static int by_distance(const void *x, const void *y)
{
	const struct candidate *a = x, *b = y;
	if (a->differ != b->differ)
		return a->differ < b->differ ? -1 : 1;
	if (a->shared != b->shared)
		return a->shared > b->shared ? -1 : 1;
	if (a->dist != b->dist)
		return a->dist < b->dist ? -1 : 1;
	return a->order < b->order ? -1 : a->order > b->order;
}

/* An unknown name: say which cells come closest, those of the same shape first. */
static int unknown_cell(const struct archive *a, const char *name, const char *path)
{
	const char *slash = strchr(name, '/');
	size_t slen = slash ? (size_t)(slash - name) : strlen(name), n = archive_count(a), nc = 0;
	struct candidate *cand;
	int same_shape = 0;

	if (n == 0)
		return archive_error("no cell '%s': no cells yet in %s", name, path);
	cand = util_xcalloc(n, sizeof *cand);
	for (size_t i = 0; i < n; i++) {
		const struct archive_cell *c = archive_cell(a, i);
		if (strlen(c->shape) == slen && !strncmp(c->shape, name, slen)) {
			cand[nc].cell = c;
			set_distance(slash ? slash + 1 : "", c->techs, &cand[nc].differ,
				     &cand[nc].shared);
			cand[nc].dist = distance(slash ? slash + 1 : "", c->techs);
			cand[nc].order = nc;
			nc++;
		}
	}
	same_shape = nc > 0;
	if (!same_shape) { /* no such shape: the nearest names of all */
		for (size_t i = 0; i < n; i++) {
			char cname[TECH_MAX * TECH_NAME_MAX + 64];
			archive_cell_name(archive_cell(a, i), cname, sizeof cname);
			cand[i].cell = archive_cell(a, i);
			cand[i].dist = distance(name, cname);
			cand[i].order = i;
		}
		nc = n;
	}
	qsort(cand, nc, sizeof *cand, by_distance);
	fprintf(stderr, "perfrl archive: no cell '%s' in %s; ", name, path);
	if (same_shape)
		fprintf(stderr, "cells of shape %.*s:", (int)slen, name);
	else
		fputs("the closest cells:", stderr);
	for (size_t i = 0; i < nc && i < SUGGEST_MAX; i++) {
		char cname[TECH_MAX * TECH_NAME_MAX + 64];
		archive_cell_name(cand[i].cell, cname, sizeof cname);
		fprintf(stderr, "%s %s", i ? "," : "", cname);
	}
	if (nc > SUGGEST_MAX)
		fprintf(stderr, " (and %zu more)", nc - SUGGEST_MAX);
	fputc('\n', stderr);
	free(cand);
	return 1;
}

static int show(const struct archive *a, const char *name, const char *path, FILE *out)
{
	const struct archive_cell *c = archive_find_name(a, name);
	if (!c)
		return unknown_cell(a, name, path);
	fwrite(c->source, 1, strlen(c->source), out); /* exactly as stored */
	return 0;
}

/* ---- the command ----------------------------------------------------------------------- */

enum { OPT_JSON = 256, OPT_SHOW };

static const struct option archive_options[] = {
	{"config", required_argument, NULL, 'c'},
	{"json", no_argument, NULL, OPT_JSON},
	TABLE_LONG_OPTIONS,
	{"show", required_argument, NULL, OPT_SHOW},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

static int archive_main(int argc, char **argv, FILE *out)
{
	struct table_opts topts = {0};
	struct table t;
	struct perfrl_config cfg;
	const char *conf = NULL, *show_name = NULL;
	char err[PATH_MAX + 256], state_dir[PATH_MAX], path[PATH_MAX + 16];
	struct archive *a = NULL;
	struct stat st;
	int c, json = 0, rc;

	optind = 0; /* GNU: start afresh */
	while ((c = getopt_long(argc, argv, "c:h" TABLE_SHORT_OPTIONS, archive_options, NULL)) != -1) {
		switch (c) {
		case 'c':
			conf = optarg;
			break;
		case OPT_JSON:
			json = 1;
			break;
		case OPT_SHOW:
			show_name = optarg;
			break;
		case 'h':
			fputs(archive_usage, out);
			return 0;
		default:
			if (table_option(&topts, c, optarg))
				break;
			/* getopt said what was wrong */
			fputs("Try 'perfrl archive --help'.\n", stderr);
			return 2;
		}
	}
	if (optind < argc)
		return util_usage_error("unexpected argument '%s'", argv[optind]);
	table_init(&t, archive_fields, NFIELDS, &topts, out);
	if (topts.helpformat) {
		table_helpformat(&t, out);
		return 0;
	}
	if (show_name && (json || table_opts_given(&topts)))
		return util_usage_error("--show prints a source: no --json, --format, -p, -P, "
				   "--delimiter or -n with it");
	if (json && table_opts_given(&topts))
		return util_usage_error("--json excludes --format, -p, -P, --delimiter and -n");
	if (table_format(&t, topts.format ? topts.format : ARCHIVE_DEFAULT_FORMAT, err,
			 sizeof err) != 0) {
		rc = util_usage_error("--format: %s", err);
		goto done;
	}

	/* The run directory is the configuration's, relative to where perfrl runs. */
	if (config_load(conf, &cfg, err, sizeof err) != 0) {
		rc = archive_error("%s", err);
		goto done;
	}
	if (stat(cfg.run_dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		int e = errno;
		if (stat(cfg.run_dir, &st) == 0)
			e = ENOTDIR;
		rc = archive_error("run directory %s: %s%s", cfg.run_dir, strerror(e),
				   conf ? "" : " (give -c CONF)");
		config_free(&cfg);
		goto done;
	}
	if (util_pathf(state_dir, sizeof state_dir, "%s/state", cfg.run_dir) != 0) {
		rc = archive_error("%s: path too long", cfg.run_dir);
		config_free(&cfg);
		goto done;
	}
	config_free(&cfg);
	snprintf(path, sizeof path, "%s/archive.json", state_dir);
	if (archive_load(state_dir, &a, err, sizeof err) != 0) {
		rc = archive_error("%s", err);
		goto done;
	}

	if (show_name)
		rc = show(a, show_name, path, out);
	else if (archive_count(a) == 0)
		rc = (fprintf(stderr, "perfrl archive: no cells yet in %s\n", path), 0);
	else
		rc = list(&t, a, state_dir, json);
	archive_free(a);
	if (fflush(out) != 0 || ferror(out))
		rc = archive_error("cannot write the output: %s", strerror(errno));
done:
	table_free(&t);
	return rc;
}

int cmd_archive(int argc, char **argv)
{
	return archive_main(argc, argv, stdout);
}
