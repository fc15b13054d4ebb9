/* cmd_techniques.c - `perfrl techniques`: the techniques a kernel uses, why, and how well the
 * detector agrees with labelled kernels. */
#include "config.h"
#include "catalogue.h"
#include "commands.h"
#include "extract.h"
#include "table.h"
#include "techniques.h"
#include "util.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIST_DEFAULT_FORMAT "Name,Description"
#define TALLY_DEFAULT_FORMAT "technique,TP,FP,FN,precision,recall"

static const char techniques_usage[] =
	"usage: perfrl techniques [--json] [--explain] FILE...\n"
	"       perfrl techniques --labels [TABLE OPTIONS] FILE...\n"
	"       perfrl techniques --list [TABLE OPTIONS]\n"
	"\n"
	"Detects the optimisation techniques each FILE uses (a C file or a raw model completion,\n"
	"'-' for standard input: the code is extracted as perfrl bench does). Prints\n"
	"'FILE: NAME NAME ...' (catalogue order) or 'FILE: none'.\n"
	"\n"
	"  -j, --json     one JSON object per file and line: {\"file\", \"techniques\"}\n"
	"  -e, --explain  where each technique was seen (line and what)\n"
	"  -l, --list     the catalogue: each technique and its description\n"
	"      --labels   compare with each file's first line, /* techniques: NAME ... */ (or\n"
	"                 'none'): per-technique precision and recall, and the files that disagree\n"
	"  -h, --help     this text\n"
	"\n"
	"Table options, for --list and --labels' tally, as sacct's:\n"
	"      --format LIST      fields, each Name[%WIDTH] (WIDTH > 0 right-justifies, < 0\n"
	"                         left-justifies); names match by unique prefix, any case\n"
	"                         (default: --list " LIST_DEFAULT_FORMAT ";\n"
	"                         --labels " TALLY_DEFAULT_FORMAT ")\n"
	"      --helpformat       list the fields (of --labels' tally with --labels)\n"
	"  -p, --parsable         the delimiter after every field, the last one included\n"
	"  -P, --parsable2        the delimiter between fields, not after the last one\n"
	"      --delimiter STR    with -p or -P: the delimiter (default '|')\n"
	"  -n, --noheader         no header (and, --labels, no summary line)\n"
	"\n"
	"Exit status: 0; 1 when a file cannot be read as C or (--labels) a file disagrees with its\n"
	"label or has none; 2 for usage errors and missing files. See perfrl-techniques(1).\n";

/* The per-technique tally of --labels. */
struct tally {
	int tp[TECH_MAX], fp[TECH_MAX], fn[TECH_MAX];
	int files, disagree, unlabelled;
};

/* The label on the first line of text: 1 with *out set, 0 when there is none, -1 when it
 * names an unknown technique (err says which). */
static int read_label(const struct catalogue *cat, const char *text, techset_t *out, char *err,
		      size_t errlen)
{
	const char *eol = strchr(text, '\n'), *p = text, *key, *end;
	char name[TECH_NAME_MAX + 1];

	*out = 0;
	if (!eol)
		eol = text + strlen(text);
	while (p < eol && (*p == ' ' || *p == '\t'))
		p++;
	if (eol - p < 2 || memcmp(p, "/*", 2) != 0)
		return 0;
	key = p + 2;
	while (key < eol && *key == ' ')
		key++;
	if ((size_t)(eol - key) < 11 || memcmp(key, "techniques:", 11) != 0)
		return 0;
	p = key + 11;
	end = p;
	while (end + 1 < eol && !(end[0] == '*' && end[1] == '/'))
		end++;
	if (end + 1 >= eol)
		return 0; /* the comment must close on its line */
	while (p < end) {
		size_t n;
		int k;
		while (p < end && (*p == ' ' || *p == '\t' || *p == ','))
			p++;
		n = 0;
		while (p + n < end && p[n] != ' ' && p[n] != '\t' && p[n] != ',')
			n++;
		if (n == 0)
			break;
		if (n >= sizeof name) {
			snprintf(err, errlen, "label word too long");
			return -1;
		}
		memcpy(name, p, n);
		name[n] = '\0';
		p += n;
		if (!strcmp(name, "none"))
			continue;
		if ((k = catalogue_find(cat, name)) < 0) {
			snprintf(err, errlen, "unknown technique '%s' in the label", name);
			return -1;
		}
		*out |= 1u << k;
	}
	return 1;
}

/* Names of s, space-separated, catalogue order ("none" for the empty set). */
static void spaced(const struct catalogue *cat, techset_t s, char *buf, size_t len)
{
	techset_format(cat, s, buf, len);
	for (char *q = buf; *q; q++)
		if (*q == '+')
			*q = ' ';
}

static void print_plain(const struct catalogue *cat, const char *file, techset_t s,
			const struct tech_evidence *ev, int explain)
{
	char names[TECH_MAX * (TECH_NAME_MAX + 1) + 8];
	spaced(cat, s, names, sizeof names);
	printf("%s: %s\n", file, names);
	if (!explain)
		return;
	for (int i = 0; i < catalogue_count(cat); i++)
		if (s & (1u << i))
			printf("  %s: line %d: %s\n", catalogue_name(cat, i), ev[i].line, ev[i].what);
}

static void print_json(const struct catalogue *cat, const char *file, techset_t s,
		       const struct tech_evidence *ev, int explain)
{
	json_t *o = json_object();
	char *text;
	json_object_set_new(o, "file", json_string(file));
	json_object_set_new(o, "techniques", techset_json(cat, s));
	if (explain) {
		json_t *e = json_object();
		for (int i = 0; i < catalogue_count(cat); i++)
			if (s & (1u << i))
				json_object_set_new(e, catalogue_name(cat, i),
						    json_pack("{s:i, s:s}", "line", ev[i].line, "what",
							      ev[i].what));
		json_object_set_new(o, "evidence", e);
	}
	text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
	if (text)
		puts(text);
	free(text);
	json_decref(o);
}

/* ---- the tables ------------------------------------------------------------------------- */

/* A row of --list: technique i of the catalogue (the table's context). */
static void l_name(const void *row, const void *ctx, char *buf, size_t len)
{
	snprintf(buf, len, "%s", catalogue_name(ctx, *(const int *)row));
}

static void l_description(const void *row, const void *ctx, char *buf, size_t len)
{
	snprintf(buf, len, "%s", catalogue_description(ctx, *(const int *)row));
}

static const struct table_field list_fields[] = {
	{"Name", -18, l_name, 0},
	{"Description", -11, l_description, TABLE_NOCUT},
};

/* A row of --labels' tally: one technique's counts. */
struct tally_row {
	const char *name;
	int tp, fp, fn;
};

static void t_name(const void *row, const void *ctx, char *buf, size_t len)
{
	(void)ctx;
	snprintf(buf, len, "%s", ((const struct tally_row *)row)->name);
}

#define TALLY_COUNT(fn, member)                                                             \
	static void fn(const void *row, const void *ctx, char *buf, size_t len)             \
	{                                                                                   \
		(void)ctx;                                                                  \
		snprintf(buf, len, "%d", ((const struct tally_row *)row)->member);          \
	}
TALLY_COUNT(t_tp, tp)
TALLY_COUNT(t_fp, fp)
TALLY_COUNT(t_fn, fn)

/* a share of part in whole, "-" when whole is 0 */
static void share(int part, int whole, char *buf, size_t len)
{
	if (whole)
		snprintf(buf, len, "%.1f%%", 100.0 * part / whole);
	else
		snprintf(buf, len, "-");
}

static void t_precision(const void *row, const void *ctx, char *buf, size_t len)
{
	const struct tally_row *r = row;
	(void)ctx;
	share(r->tp, r->tp + r->fp, buf, len);
}

static void t_recall(const void *row, const void *ctx, char *buf, size_t len)
{
	const struct tally_row *r = row;
	(void)ctx;
	share(r->tp, r->tp + r->fn, buf, len);
}

/* The names are lowercase as they always were: scripts look for the line '^technique '. */
static const struct table_field tally_fields[] = {
	{"technique", -18, t_name, 0},
	{"TP", 4, t_tp, 0},
	{"FP", 4, t_fp, 0},
	{"FN", 4, t_fn, 0},
	{"precision", 9, t_precision, 0},
	{"recall", 7, t_recall, 0},
};

static void print_list(struct table *t, const struct catalogue *cat)
{
	int n = catalogue_count(cat), *idx = util_xcalloc((size_t)n + 1, sizeof *idx);
	const void **rows = util_xcalloc((size_t)n + 1, sizeof *rows);
	for (int i = 0; i < n; i++) {
		idx[i] = i;
		rows[i] = &idx[i];
	}
	t->ctx = cat;
	table_fit(t, rows, (size_t)n);
	table_header(t);
	for (int i = 0; i < n; i++)
		table_row(t, &idx[i]);
	free(rows);
	free(idx);
}

static void print_tally(struct table *t, const struct catalogue *cat, const struct tally *tally)
{
	table_header(t);
	for (int i = 0; i < catalogue_count(cat); i++) {
		struct tally_row r = {catalogue_name(cat, i), tally->tp[i], tally->fp[i], tally->fn[i]};
		table_row(t, &r);
	}
	if (!t->noheader && t->mode == TABLE_FIXED)
		printf("%d files, %d disagree, %d unlabelled\n", tally->files, tally->disagree,
		       tally->unlabelled);
}

int cmd_techniques(int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},   {"explain", no_argument, NULL, 'e'},
		{"list", no_argument, NULL, 'l'},   {"labels", no_argument, NULL, 'L'},
		{"help", no_argument, NULL, 'h'},   TABLE_LONG_OPTIONS,
		{NULL, 0, NULL, 0},
	};
	struct table_opts topts = {0};
	struct table t;
	char err[512];
	int json = 0, explain = 0, list = 0, labels = 0, c, rc = 0;
	struct catalogue *cat;
	struct tally tally;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "jelh" TABLE_SHORT_OPTIONS, opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'e':
			explain = 1;
			break;
		case 'l':
			list = 1;
			break;
		case 'L':
			labels = 1;
			break;
		case 'h':
			fputs(techniques_usage, stdout);
			return 0;
		default:
			if (table_option(&topts, c, optarg))
				break;
			if (optopt)
				fprintf(stderr, "perfrl techniques: unknown option '-%c' (see --help)\n",
					optopt);
			else
				fprintf(stderr, "perfrl techniques: unknown option '%s' (see --help)\n",
					argv[optind - 1]);
			return 2;
		}
	}
	if (labels)
		table_init(&t, tally_fields, sizeof tally_fields / sizeof tally_fields[0], &topts,
			   stdout);
	else
		table_init(&t, list_fields, sizeof list_fields / sizeof list_fields[0], &topts,
			   stdout);
	if (topts.helpformat) {
		table_helpformat(&t, stdout);
		return 0;
	}
	if (!list && !labels && table_opts_given(&topts)) {
		fprintf(stderr, "perfrl techniques: --format, -p, -P, --delimiter and -n are for "
			"--list and --labels (see --help)\n");
		return 2;
	}
	if (list && labels) {
		fprintf(stderr, "perfrl techniques: --list and --labels exclude each other\n");
		return 2;
	}
	if (table_format(&t, topts.format ? topts.format
					  : labels ? TALLY_DEFAULT_FORMAT : LIST_DEFAULT_FORMAT,
			 err, sizeof err) != 0) {
		fprintf(stderr, "perfrl techniques: --format: %s\n", err);
		table_free(&t);
		return 2;
	}
	cat = catalogue_new();
	if (list) {
		if (optind < argc) {
			fprintf(stderr, "perfrl techniques: --list takes no files\n");
			rc = 2;
		} else {
			print_list(&t, cat);
		}
		catalogue_free(cat);
		table_free(&t);
		return rc;
	}
	if (optind >= argc) {
		catalogue_free(cat);
		table_free(&t);
		fprintf(stderr, "perfrl techniques: no files (see --help)\n");
		return 2;
	}
	memset(&tally, 0, sizeof tally);
	for (int a = optind; a < argc; a++) {
		const char *file = argv[a], *xwhy = NULL;
		struct tech_evidence ev[TECH_MAX];
		char why[256], names[TECH_MAX * (TECH_NAME_MAX + 1) + 8], want[sizeof names];
		char *text, *code = NULL;
		size_t len;
		techset_t found, label = 0;
		int has_label = 0;

		if (!(text = util_read_file(file, 16u << 20, &len))) {
			fprintf(stderr, "perfrl techniques: %s: %s\n", file, strerror(errno));
			catalogue_free(cat);
			table_free(&t);
			return 2;
		}
		if (labels) {
			has_label = read_label(cat, text, &label, why, sizeof why);
			if (has_label < 0)
				fprintf(stderr, "perfrl techniques: %s: %s\n", file, why);
		}
		if (extract_code(text, len, &code, &xwhy) != 0) {
			fprintf(stderr, "perfrl techniques: %s: %s\n", file, xwhy);
			free(text);
			rc = 1;
			continue;
		}
		free(text);
		if (techniques_detect(cat, code, strlen(code), &found, ev, why, sizeof why) != 0) {
			fprintf(stderr, "perfrl techniques: %s: cannot read as C: %s\n", file, why);
			free(code);
			rc = 1;
			continue;
		}
		free(code);
		if (!labels) {
			if (json)
				print_json(cat, file, found, ev, explain);
			else
				print_plain(cat, file, found, ev, explain);
			continue;
		}
		tally.files++;
		if (has_label <= 0) {
			tally.unlabelled++;
			printf("%s: no label (want /* techniques: NAME ... */ on the first line)\n", file);
			rc = 1;
			continue;
		}
		for (int i = 0; i < catalogue_count(cat); i++) {
			techset_t bit = 1u << i;
			tally.tp[i] += (found & bit) && (label & bit);
			tally.fp[i] += (found & bit) && !(label & bit);
			tally.fn[i] += !(found & bit) && (label & bit);
		}
		if (found != label) {
			tally.disagree++;
			spaced(cat, label, want, sizeof want);
			spaced(cat, found, names, sizeof names);
			printf("%s: expected %s, found %s\n", file, want, names);
			rc = 1;
		}
	}
	if (labels)
		print_tally(&t, cat, &tally);
	catalogue_free(cat);
	table_free(&t);
	return rc;
}
