/* cmd_corpus.c - `perfrl corpus`: a labelled corpus of kernels from the design space of the
 * built-in policy (kernel_space.c), covering every choice of every factor and every
 * technique alone and in combinations. */
#include "config.h"
#include "catalogue.h"
#include "commands.h"
#include "jsonl.h"
#include "kernel_space.h"
#include "util.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CORPUS_MAX 999   /* NNN in the file names */
#define TRIES 200        /* samples drawn for one target before it is given up */

static const char corpus_usage[] =
	"usage: perfrl corpus --out DIR [--count N] [--seed S]\n"
	"\n"
	"Writes N distinct kernels of the built-in policy's design space (loop nest, cache\n"
	"tiles, register tile, OpenMP, SIMD, unrolling, packing) as DIR/NNN-NAME.c, each\n"
	"starting with its label, /* techniques: NAME ... */ (or 'none': the techniques it\n"
	"uses by construction, as tests/techniques/LABELS.md defines them), then its design,\n"
	"/* design: nest=... */; and DIR/corpus.jsonl, one {file, design, techniques} per\n"
	"kernel. The kernels cover every choice of every factor and every technique alone and\n"
	"in pairs, then larger combinations (as far as N allows). Files of the same names are\n"
	"replaced. The same seed gives the same corpus.\n"
	"\n"
	"  -o, --out DIR    the directory (created if needed)\n"
	"  -n, --count N    how many kernels, 1 to 999 (default 60)\n"
	"  -s, --seed S     the seed of the choices (default 1)\n"
	"  -h, --help       this text\n"
	"\n"
	"Exit status: 0; 1 when a file cannot be written; 2 for usage errors.\n";

struct corpus {
	struct ks_design *d;
	int n, cap;
	int covered[KS__COUNT][8]; /* how many designs take each choice */
	uint64_t rng;
};

static int has(const struct corpus *c, const struct ks_design *d)
{
	for (int i = 0; i < c->n; i++)
		if (!memcmp(&c->d[i], d, sizeof *d))
			return 1;
	return 0;
}

/*
 * One design with techniques within permitted and including required, and choice fc of
 * factor ff when ff >= 0: the factors are drawn in order under ks_allowed's mask,
 * preferring choices no design has taken yet. 0, or -1 when the forced choice was masked.
 */
static int draw(struct corpus *c, techset_t permitted, techset_t required, int ff, int fc,
		struct ks_design *d)
{
	memset(d, 0, sizeof *d);
	for (int f = 0; f < KS__COUNT; f++) {
		int allowed[8], fresh = 0, pool, pick;
		if (!ks_allowed(f, d, permitted, required, allowed))
			return -1;
		if (f == ff) {
			if (!allowed[fc])
				return -1;
			d->c[f] = fc;
			continue;
		}
		for (int k = 0; k < ks_choices(f); k++)
			fresh += allowed[k] && !c->covered[f][k];
		pool = 0;
		for (int k = 0; k < ks_choices(f); k++)
			pool += allowed[k] && (!fresh || !c->covered[f][k]);
		pick = (int)(util_splitmix64(&c->rng) % (uint64_t)pool);
		for (int k = 0; k < ks_choices(f); k++)
			if (allowed[k] && (!fresh || !c->covered[f][k]) && pick-- == 0) {
				d->c[f] = k;
				break;
			}
	}
	return 0;
}

/* Add a new design for the target; 1 when one was added, 0 when none could be found. */
static int add(struct corpus *c, int count, techset_t permitted, techset_t required, int ff,
	       int fc)
{
	struct ks_design d;
	if (c->n >= count)
		return 0;
	for (int t = 0; t < TRIES; t++) {
		if (draw(c, permitted, required, ff, fc, &d) < 0 || has(c, &d))
			continue;
		c->d[c->n++] = d;
		for (int f = 0; f < KS__COUNT; f++)
			c->covered[f][d.c[f]]++;
		return 1;
	}
	return 0;
}

/* The techniques the space can express: those some design uses. */
static techset_t expressible(void)
{
	const techset_t all = ((techset_t)1 << TECH__BUILTIN) - 1;
	struct ks_design d = {{0}};
	techset_t s = 0;
	int allowed[8];
	for (int t = 0; t < TECH__BUILTIN; t++)
		if (ks_allowed(0, &d, all, (techset_t)1 << t, allowed))
			s |= (techset_t)1 << t;
	return s;
}

static int feasible(techset_t set)
{
	struct ks_design d = {{0}};
	int allowed[8];
	return ks_allowed(0, &d, set, set, allowed) > 0;
}

static void choose(struct corpus *c, int count)
{
	const techset_t all = ((techset_t)1 << TECH__BUILTIN) - 1, space = expressible();
	int stuck = 0;

	/* no technique, then each technique alone */
	add(c, count, 0, 0, -1, 0);
	for (int t = 0; t < TECH__BUILTIN; t++)
		if (space & ((techset_t)1 << t))
			add(c, count, (techset_t)1 << t, (techset_t)1 << t, -1, 0);
	/* every choice of every factor at least once */
	for (int f = 0; f < KS__COUNT; f++)
		for (int k = 0; k < ks_choices(f); k++)
			if (!c->covered[f][k])
				add(c, count, all, 0, f, k);
	/* every pair, then the largest combinations */
	for (int a = 0; a < TECH__BUILTIN; a++)
		for (int b = a + 1; b < TECH__BUILTIN; b++) {
			techset_t s = ((techset_t)1 << a) | ((techset_t)1 << b);
			if ((s & space) == s && feasible(s))
				add(c, count, s, s, -1, 0);
		}
	for (int t = 0; t < TECH__BUILTIN; t++) {
		techset_t s = space & ~((techset_t)1 << t);
		if ((space & ((techset_t)1 << t)) && feasible(s))
			add(c, count, s, s, -1, 0);
	}
	/* then combinations drawn at random, exactly as drawn */
	while (c->n < count && stuck < 10000) {
		techset_t s = (techset_t)util_splitmix64(&c->rng) & space;
		if (!feasible(s) || !add(c, count, s, s, -1, 0))
			stuck++;
	}
}

/* A file name's part for a design: "ikj-t64x_x128-r4x8-omps-avx2-u2-pack". */
static void short_name(const struct ks_design *d, char *buf, size_t len)
{
	size_t n = (size_t)snprintf(buf, len, "%s", ks_choice_name(KS_NEST, d->c[KS_NEST]));
#define PUT(...) (n < len ? n += (size_t)snprintf(buf + n, len - n, __VA_ARGS__) : 0)
	if (d->c[KS_TILE_M] || d->c[KS_TILE_N] || d->c[KS_TILE_K]) {
		const enum ks_factor t[3] = {KS_TILE_M, KS_TILE_N, KS_TILE_K};
		PUT("-t");
		for (int i = 0; i < 3; i++)
			PUT("%s%s", i ? "x" : "", d->c[t[i]] ? ks_choice_name(t[i], d->c[t[i]]) : "_");
	}
	if (d->c[KS_MICRO])
		PUT("-r%s", ks_choice_name(KS_MICRO, d->c[KS_MICRO]));
	if (d->c[KS_OMP])
		PUT("-omp%c", ks_choice_name(KS_OMP, d->c[KS_OMP])[0]);
	if (d->c[KS_SIMD])
		PUT("-%s", ks_choice_name(KS_SIMD, d->c[KS_SIMD]));
	if (d->c[KS_UNROLL])
		PUT("-u%s", ks_choice_name(KS_UNROLL, d->c[KS_UNROLL]));
	if (d->c[KS_PACK])
		PUT("-pack");
#undef PUT
}

static int write_corpus(const struct corpus *c, const char *dir)
{
	struct catalogue *cat = catalogue_new();
	json_t *lines = json_array();
	char path[4096];
	int rc = 0;

	for (int i = 0; i < c->n && rc == 0; i++) {
		char name[160], file[200], design[256], label[TECH_MAX * (TECH_NAME_MAX + 1) + 8];
		techset_t used = ks_techniques(&c->d[i]);
		char *src = ks_render(&c->d[i]), *text;

		if (!src) {
			rc = 1; /* reported */
			break;
		}
		short_name(&c->d[i], name, sizeof name);
		snprintf(file, sizeof file, "%03d-%s.c", i + 1, name);
		ks_format(&c->d[i], design, sizeof design);
		techset_format(cat, used, label, sizeof label);
		for (char *q = label; *q; q++)
			if (*q == '+')
				*q = ' ';
		text = util_xasprintf("/* techniques: %s */\n%s", label, src);
		free(src);
		if (util_pathf(path, sizeof path, "%s/%s", dir, file) < 0 ||
		    util_write_atomic(path, text, strlen(text)) < 0) {
			fprintf(stderr, "perfrl corpus: cannot write %s/%s: %s\n", dir, file,
				strerror(errno));
			rc = 1;
		}
		free(text);
		json_array_append_new(lines, json_pack("{s:s, s:s, s:o}", "file", file, "design",
						       design, "techniques", techset_json(cat, used)));
	}
	if (rc == 0 && (util_pathf(path, sizeof path, "%s/corpus.jsonl", dir) < 0 ||
			jsonl_write(path, lines) < 0)) {
		fprintf(stderr, "perfrl corpus: cannot write %s/corpus.jsonl: %s\n", dir,
			strerror(errno));
		rc = 1;
	}
	json_decref(lines);
	catalogue_free(cat);
	return rc;
}

int cmd_corpus(int argc, char **argv)
{
	static const struct option opts[] = {
		{"out", required_argument, NULL, 'o'},  {"count", required_argument, NULL, 'n'},
		{"seed", required_argument, NULL, 's'}, {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *dir = NULL;
	long count = 60;
	unsigned long long seed = 1;
	struct corpus c;
	char *end;
	int opt, rc;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":o:n:s:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'o':
			dir = optarg;
			break;
		case 'n':
			if (util_parse_long(optarg, 1, CORPUS_MAX, &count) != 0)
				return util_usage_error("--count: '%s' is not a number from 1 to %d",
						   optarg, CORPUS_MAX);
			break;
		case 's':
			errno = 0;
			seed = strtoull(optarg, &end, 10);
			if (errno || end == optarg || *end || optarg[0] == '-')
				return util_usage_error("--seed: '%s' is not a non-negative integer", optarg);
			break;
		case 'h':
			fputs(corpus_usage, stdout);
			return 0;
		case ':':
			return util_usage_error("%s needs a value", argv[optind - 1]);
		default:
			if (optopt)
				return util_usage_error("unknown option '-%c'", optopt);
			return util_usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return util_usage_error("unexpected argument '%s'", argv[optind]);
	if (!dir || !*dir)
		return util_usage_error("--out DIR is required");

	memset(&c, 0, sizeof c);
	c.rng = seed;
	c.cap = (int)count;
	c.d = util_xcalloc((size_t)count, sizeof *c.d);
	choose(&c, (int)count);
	if (c.n < count) {
		fprintf(stderr, "perfrl corpus: only %d distinct designs found, not %ld\n", c.n,
			count);
		free(c.d);
		return 1;
	}
	if (util_mkdirs(dir, 0777) < 0) {
		fprintf(stderr, "perfrl corpus: cannot create %s: %s\n", dir, strerror(errno));
		free(c.d);
		return 1;
	}
	rc = write_corpus(&c, dir);
	if (rc == 0)
		printf("%d kernel%s in %s (corpus.jsonl lists them)\n", c.n, c.n == 1 ? "" : "s",
		       dir);
	free(c.d);
	return rc;
}
