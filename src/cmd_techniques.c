/* cmd_techniques.c - `perfrl techniques`: the techniques a kernel uses, why, and how well the
 * detector agrees with labelled kernels. */
#include "config.h"
#include "catalogue.h"
#include "commands.h"
#include "extract.h"
#include "techniques.h"
#include "util.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char techniques_usage[] =
	"usage: perfrl techniques [--json] [--explain] FILE...\n"
	"       perfrl techniques --labels FILE...\n"
	"       perfrl techniques --list\n"
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

static void print_tally(const struct catalogue *cat, const struct tally *t)
{
	printf("%-18s %4s %4s %4s %9s %7s\n", "technique", "TP", "FP", "FN", "precision", "recall");
	for (int i = 0; i < catalogue_count(cat); i++) {
		char prec[16], rec[16];
		int tp = t->tp[i], fp = t->fp[i], fn = t->fn[i];
		if (tp + fp)
			snprintf(prec, sizeof prec, "%.1f%%", 100.0 * tp / (tp + fp));
		else
			snprintf(prec, sizeof prec, "-");
		if (tp + fn)
			snprintf(rec, sizeof rec, "%.1f%%", 100.0 * tp / (tp + fn));
		else
			snprintf(rec, sizeof rec, "-");
		printf("%-18s %4d %4d %4d %9s %7s\n", catalogue_name(cat, i), tp, fp, fn, prec, rec);
	}
	printf("%d files, %d disagree, %d unlabelled\n", t->files, t->disagree, t->unlabelled);
}

int cmd_techniques(int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},   {"explain", no_argument, NULL, 'e'},
		{"list", no_argument, NULL, 'l'},   {"labels", no_argument, NULL, 'L'},
		{"help", no_argument, NULL, 'h'},   {NULL, 0, NULL, 0},
	};
	int json = 0, explain = 0, list = 0, labels = 0, c, rc = 0;
	struct catalogue *cat;
	struct tally tally;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "jelh", opts, NULL)) != -1) {
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
			if (optopt)
				fprintf(stderr, "perfrl techniques: unknown option '-%c' (see --help)\n",
					optopt);
			else
				fprintf(stderr, "perfrl techniques: unknown option '%s' (see --help)\n",
					argv[optind - 1]);
			return 2;
		}
	}
	cat = catalogue_new();
	if (list) {
		if (optind < argc) {
			catalogue_free(cat);
			fprintf(stderr, "perfrl techniques: --list takes no files\n");
			return 2;
		}
		for (int i = 0; i < catalogue_count(cat); i++)
			printf("%-18s %s\n", catalogue_name(cat, i), catalogue_description(cat, i));
		catalogue_free(cat);
		return 0;
	}
	if (optind >= argc) {
		catalogue_free(cat);
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
		print_tally(cat, &tally);
	catalogue_free(cat);
	return rc;
}
