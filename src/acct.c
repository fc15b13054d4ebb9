/* acct.c - `perfrl acct`: one row per RL iteration, in sacct's formats. */
#include "config.h"
#include "acct.h"
#include "conf.h"
#include "iterlog.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define ACCT_DEFAULT_FORMAT "Iter,JobID,State,Stage,Elapsed,Samples,OK,BestGFLOPS,MeanReward,Coverage,QDScore"
#define ACCT_FORMAT_ENV "PERFRL_ACCT_FORMAT"
#define ACCT_MAX_WIDTH 1000

static const char acct_usage[] =
	"usage: perfrl acct [OPTIONS]\n"
	"\n"
	"One row per RL iteration from RUN/state/iterations.jsonl, in sacct's formats.\n"
	"\n"
	"  -c, --config FILE      the run directory of this configuration (perfrl.conf(5))\n"
	"      --run-dir DIR      the run directory (default: run)\n"
	"  -o, --format LIST      fields, each Name[%WIDTH] (WIDTH > 0 right-justifies, < 0\n"
	"                         left-justifies); names match by unique prefix, any case\n"
	"                         (default: $" ACCT_FORMAT_ENV " or\n"
	"                         " ACCT_DEFAULT_FORMAT ")\n"
	"  -e, --helpformat       list the fields\n"
	"  -p, --parsable         the delimiter after every field, the last one included\n"
	"  -P, --parsable2        the delimiter between fields, not after the last one\n"
	"      --delimiter STR    with -p or -P: the delimiter (default '|')\n"
	"  -n, --noheader         no header\n"
	"      --iterations LIST  only these iterations: N, N-M, comma-separated\n"
	"  -s, --state LIST       only these states, comma-separated: PENDING (PD), RUNNING (R),\n"
	"                         COMPLETED (CD), FAILED (F), CANCELLED (CA), TIMEOUT (TO),\n"
	"                         NODE_FAIL (NF), PREEMPTED (PR), REQUEUED (RQ)\n"
	"  -h, --help             this text\n"
	"\n"
	"Exit status: 0, 1 when the records cannot be read, 2 for usage errors. See perfrl-acct(1).\n";

/* ---- fields ---------------------------------------------------------------------------- */

/* A printer writes the value of one cell into buf; an empty string is a blank cell. */
typedef void (*acct_printer)(const struct iter_record *r, time_t now, char *buf, size_t len);

static void print_date(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (t <= 0 || !localtime_r(&tt, &tm) || !strftime(buf, len, "%FT%T", &tm))
		snprintf(buf, len, "Unknown"); /* sacct's word for a time not known */
}

static void print_share(long part, long whole, char *buf, size_t len)
{
	if (whole > 0)
		snprintf(buf, len, "%.1f%%", 100.0 * (double)part / (double)whole);
	else
		buf[0] = '\0';
}

static void print_known(double v, int decimals, char *buf, size_t len)
{
	if (v >= 0)
		snprintf(buf, len, "%.*f", decimals, v);
	else
		buf[0] = '\0';
}

static void p_iter(const struct iter_record *r, time_t now, char *buf, size_t len)
{
	(void)now;
	snprintf(buf, len, "%ld", r->iter);
}

static void p_jobid(const struct iter_record *r, time_t now, char *buf, size_t len)
{
	(void)now;
	snprintf(buf, len, "%s", r->job_id);
}

static void p_state(const struct iter_record *r, time_t now, char *buf, size_t len)
{
	(void)now;
	snprintf(buf, len, "%s", iterlog_state_name(r->state));
}

static void p_stage(const struct iter_record *r, time_t now, char *buf, size_t len)
{
	(void)now;
	snprintf(buf, len, "%d", r->stage);
}

static void p_submit(const struct iter_record *r, time_t now, char *buf, size_t len)
{
	(void)now;
	print_date(r->submit, buf, len);
}

static void p_start(const struct iter_record *r, time_t now, char *buf, size_t len)
{
	(void)now;
	print_date(r->start, buf, len);
}

static void p_end(const struct iter_record *r, time_t now, char *buf, size_t len)
{
	(void)now;
	print_date(r->end, buf, len);
}

/* Like sacct: [D-]HH:MM:SS; a running iteration counts up to now, a pending one is zero. */
static void p_elapsed(const struct iter_record *r, time_t now, char *buf, size_t len)
{
	int64_t s = 0;
	if (r->start > 0 && r->end > 0)
		s = r->end - r->start;
	else if (r->start > 0 && r->state == ITER_RUNNING)
		s = (int64_t)now - r->start;
	if (s < 0)
		s = 0;
	if (s >= 86400)
		snprintf(buf, len, "%lld-%02lld:%02lld:%02lld", (long long)(s / 86400),
			 (long long)(s / 3600 % 24), (long long)(s / 60 % 60), (long long)(s % 60));
	else
		snprintf(buf, len, "%02lld:%02lld:%02lld", (long long)(s / 3600),
			 (long long)(s / 60 % 60), (long long)(s % 60));
}

#define COUNT_PRINTER(fn, member)                                                           \
	static void fn(const struct iter_record *r, time_t now, char *buf, size_t len)      \
	{                                                                                   \
		(void)now;                                                                  \
		snprintf(buf, len, "%ld", (long)r->member);                                 \
	}
#define SHARE_PRINTER(fn, member)                                                           \
	static void fn(const struct iter_record *r, time_t now, char *buf, size_t len)      \
	{                                                                                   \
		(void)now;                                                                  \
		print_share(r->member, r->samples, buf, len);                               \
	}
COUNT_PRINTER(p_samples, samples)
COUNT_PRINTER(p_okcount, ok)
COUNT_PRINTER(p_retries, retries)
SHARE_PRINTER(p_ok, ok)
SHARE_PRINTER(p_rejected, rejected)
SHARE_PRINTER(p_compile, compile_error)
SHARE_PRINTER(p_timeout, timeout)
SHARE_PRINTER(p_runtime, runtime_error)
SHARE_PRINTER(p_wrong, wrong_answer)

static void p_best(const struct iter_record *r, time_t now, char *buf, size_t len)
{
	(void)now;
	print_known(r->best_gflops, 2, buf, len);
}

static void p_median(const struct iter_record *r, time_t now, char *buf, size_t len)
{
	(void)now;
	print_known(r->median_gflops, 2, buf, len);
}

static void p_reward(const struct iter_record *r, time_t now, char *buf, size_t len)
{
	(void)now;
	if (r->samples > 0)
		snprintf(buf, len, "%.2f", r->mean_reward);
	else
		buf[0] = '\0';
}

static void p_coverage(const struct iter_record *r, time_t now, char *buf, size_t len)
{
	(void)now;
	print_known(r->coverage, 3, buf, len);
}

static void p_qdscore(const struct iter_record *r, time_t now, char *buf, size_t len)
{
	(void)now;
	print_known(r->qd_score, 1, buf, len);
}

/* The fields, sacct-style: adding one is adding a row. */
static const struct acct_field {
	const char *name;
	int width;  /* default column width */
	int left;   /* left-justified by default */
	acct_printer print;
} acct_fields[] = {
	{"Iter", 6, 0, p_iter},
	{"JobID", 12, 1, p_jobid},
	{"State", 10, 1, p_state},
	{"Stage", 5, 0, p_stage},
	{"Submit", 19, 0, p_submit},
	{"Start", 19, 0, p_start},
	{"End", 19, 0, p_end},
	{"Elapsed", 10, 0, p_elapsed},
	{"Samples", 7, 0, p_samples},
	{"OK", 6, 0, p_ok},
	{"OKCount", 7, 0, p_okcount},
	{"Rejected", 8, 0, p_rejected},
	{"CompileErr", 10, 0, p_compile},
	{"Timeout", 7, 0, p_timeout},
	{"RuntimeErr", 10, 0, p_runtime},
	{"WrongAns", 8, 0, p_wrong},
	{"BestGFLOPS", 10, 0, p_best},
	{"MedianGFLOPS", 12, 0, p_median},
	{"MeanReward", 10, 0, p_reward},
	{"Coverage", 8, 0, p_coverage},
	{"QDScore", 10, 0, p_qdscore},
	{"Retries", 7, 0, p_retries},
};
#define NFIELDS (sizeof acct_fields / sizeof acct_fields[0])

struct acct_column {
	const struct acct_field *field;
	int width; /* > 0 right-justified, < 0 left-justified */
};

/* ---- options --------------------------------------------------------------------------- */

enum { PARSABLE_NO, PARSABLE_ENDING, PARSABLE_NO_ENDING };

struct iter_range {
	long lo, hi;
};

struct acct {
	FILE *out;
	const char *run_dir;
	int run_dir_given;
	const char *conf;
	struct acct_column *cols;
	size_t ncols;
	int parsable;
	const char *delim;
	int noheader;
	struct iter_range *ranges; /* NULL: every iteration */
	size_t nranges;
	unsigned states; /* bit per enum iter_state; 0: every state */
};

static int usage_error(const char *fmt, ...) UTIL_PRINTF(1, 2);
static int usage_error(const char *fmt, ...)
{
	va_list ap;
	fputs("perfrl acct: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'perfrl acct --help'.\n", stderr);
	return 2;
}

static void field_list(char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < NFIELDS && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "",
					 acct_fields[i].name);
}

/* An exact name (any case) wins; otherwise the one field the prefix names. */
static const struct acct_field *find_field(const char *name, size_t len, int *ambiguous)
{
	const struct acct_field *found = NULL;
	int matches = 0;
	*ambiguous = 0;
	if (len == 0)
		return NULL;
	for (size_t i = 0; i < NFIELDS; i++) {
		if (strncasecmp(name, acct_fields[i].name, len) != 0)
			continue;
		if (acct_fields[i].name[len] == '\0')
			return &acct_fields[i];
		found = &acct_fields[i];
		matches++;
	}
	if (matches > 1) {
		*ambiguous = 1;
		return NULL;
	}
	return found;
}

/* The W of Name%W: a non-zero integer, its sign the justification. */
static int parse_width(const char *s, size_t len, int *width)
{
	char num[16], *end;
	long w;
	if (len == 0 || len >= sizeof num)
		return -1;
	memcpy(num, s, len);
	num[len] = '\0';
	errno = 0;
	w = strtol(num, &end, 10);
	while (isspace((unsigned char)*end))
		end++;
	if (errno || end == num || *end || w == 0 || w > ACCT_MAX_WIDTH || w < -ACCT_MAX_WIDTH)
		return -1;
	*width = (int)w;
	return 0;
}

/* "Name[%W],Name[%W],..." into a->cols; origin names where the list came from. */
static int parse_format(struct acct *a, const char *list, const char *origin)
{
	char valid[512];
	const char *p = list;

	free(a->cols);
	a->cols = util_xcalloc(strlen(list) / 2 + 1, sizeof *a->cols);
	a->ncols = 0;
	while (*p) {
		const char *end = p + strcspn(p, ","), *pct, *name = p;
		size_t nlen;
		int width, ambiguous;
		const struct acct_field *f;

		while (name < end && isspace((unsigned char)*name))
			name++;
		pct = memchr(name, '%', (size_t)(end - name));
		nlen = (size_t)((pct ? pct : end) - name);
		while (nlen && isspace((unsigned char)name[nlen - 1]))
			nlen--;
		if (nlen == 0 && !pct) { /* an empty item, as in "a,,b": skipped like sacct */
			p = *end ? end + 1 : end;
			continue;
		}
		if (nlen == 0)
			return usage_error("%s: a width without a field name in '%.*s'", origin,
					   (int)(end - p), p);
		f = find_field(name, nlen, &ambiguous);
		if (!f) {
			field_list(valid, sizeof valid);
			return usage_error("%s: %s field '%.*s'; valid fields: %s", origin,
					   ambiguous ? "ambiguous" : "unknown", (int)nlen, name,
					   valid);
		}
		width = f->left ? -f->width : f->width;
		if (pct && parse_width(pct + 1, (size_t)(end - pct - 1), &width) != 0)
			return usage_error("%s: bad width in '%.*s' (a non-zero integer between "
					   "-%d and %d)",
					   origin, (int)(end - p), p, ACCT_MAX_WIDTH, ACCT_MAX_WIDTH);
		a->cols[a->ncols].field = f;
		a->cols[a->ncols].width = width;
		a->ncols++;
		p = *end ? end + 1 : end;
	}
	if (a->ncols == 0)
		return usage_error("%s: no fields", origin);
	return 0;
}

/* "N", "N-M", comma-separated. */
static int parse_ranges(struct acct *a, const char *list)
{
	const char *p = list;
	free(a->ranges);
	a->ranges = util_xcalloc(strlen(list) / 2 + 1, sizeof *a->ranges);
	a->nranges = 0;
	for (;;) {
		char *end;
		long lo, hi;
		if (!isdigit((unsigned char)*p))
			goto bad;
		errno = 0;
		lo = hi = strtol(p, &end, 10);
		if (errno)
			goto bad;
		if (*end == '-') {
			p = end + 1;
			if (!isdigit((unsigned char)*p))
				goto bad;
			hi = strtol(p, &end, 10);
			if (errno || hi < lo)
				goto bad;
		}
		a->ranges[a->nranges++] = (struct iter_range){lo, hi};
		if (*end == '\0')
			return 0;
		if (*end != ',')
			goto bad;
		p = end + 1;
	}
bad:
	return usage_error("--iterations: bad list '%s' (N, N-M with N <= M, comma-separated)",
			   list);
}

/* Full names in any case, or sacct's abbreviations. */
static int parse_states(struct acct *a, const char *list)
{
	static const struct {
		const char *abbrev;
		enum iter_state state;
	} abbrevs[] = {
		{"PD", ITER_PENDING},   {"R", ITER_RUNNING},    {"CD", ITER_COMPLETED},
		{"F", ITER_FAILED},     {"CA", ITER_CANCELLED}, {"TO", ITER_TIMEOUT},
		{"NF", ITER_NODE_FAIL}, {"PR", ITER_PREEMPTED}, {"RQ", ITER_REQUEUED},
	};
	char *copy = util_xstrdup(list), *save = NULL;
	int rc = 0;

	a->states = 0;
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int st = iterlog_state_parse(tok);
		for (size_t i = 0; st < 0 && i < sizeof abbrevs / sizeof abbrevs[0]; i++)
			if (!strcasecmp(tok, abbrevs[i].abbrev))
				st = (int)abbrevs[i].state;
		if (st < 0) {
			rc = usage_error("--state: unknown state '%s'; valid: PENDING (PD), RUNNING "
					 "(R), COMPLETED (CD), FAILED (F), CANCELLED (CA), TIMEOUT "
					 "(TO), NODE_FAIL (NF), PREEMPTED (PR), REQUEUED (RQ)",
					 tok);
			break;
		}
		a->states |= 1u << st;
	}
	if (rc == 0 && a->states == 0)
		rc = usage_error("--state: no states in '%s'", list);
	free(copy);
	return rc;
}

static int selected(const struct acct *a, const struct iter_record *r)
{
	if (a->states && !(a->states & (1u << r->state)))
		return 0;
	if (!a->ranges)
		return 1;
	for (size_t i = 0; i < a->nranges; i++)
		if (r->iter >= a->ranges[i].lo && r->iter <= a->ranges[i].hi)
			return 1;
	return 0;
}

/* ---- printing, as sacct's print_fields does it ------------------------------------------ */

static void put_cell(const struct acct *a, const struct acct_column *c, const char *v, int last)
{
	int w = abs(c->width);
	if (a->parsable == PARSABLE_NO_ENDING && last)
		fputs(v, a->out);
	else if (a->parsable)
		fprintf(a->out, "%s%s", v, a->delim);
	else if ((int)strlen(v) > w) /* cut, and say so with '+' */
		fprintf(a->out, "%.*s+ ", w - 1, v);
	else
		fprintf(a->out, c->width < 0 ? "%-*s " : "%*s ", w, v);
}

static void put_header(const struct acct *a)
{
	for (size_t i = 0; i < a->ncols; i++) {
		const struct acct_column *c = &a->cols[i];
		if (a->parsable)
			put_cell(a, c, c->field->name, i + 1 == a->ncols);
		else /* a name too long is cut without '+', as sacct does */
			fprintf(a->out, "%*.*s ", c->width, abs(c->width), c->field->name);
	}
	fputc('\n', a->out);
	if (a->parsable)
		return;
	for (size_t i = 0; i < a->ncols; i++) {
		for (int k = 0; k < abs(a->cols[i].width); k++)
			fputc('-', a->out);
		fputc(' ', a->out);
	}
	fputc('\n', a->out);
}

static void put_row(const struct acct *a, const struct iter_record *r, time_t now)
{
	char buf[128];
	for (size_t i = 0; i < a->ncols; i++) {
		a->cols[i].field->print(r, now, buf, sizeof buf);
		put_cell(a, &a->cols[i], buf, i + 1 == a->ncols);
	}
	fputc('\n', a->out);
}

static void put_helpformat(FILE *out)
{
	for (size_t i = 0; i < NFIELDS; i++)
		fprintf(out, (i % 4 == 3 || i + 1 == NFIELDS) ? "%s\n" : "%-16s",
			acct_fields[i].name);
}

/* ---- the command ----------------------------------------------------------------------- */

static int report(struct acct *a)
{
	struct iter_record *recs;
	size_t n;
	char err[PATH_MAX + 200];
	time_t now = time(NULL);

	if (iterlog_load(a->run_dir, &recs, &n, err, sizeof err) != 0) {
		util_error("%s%s", err, a->run_dir_given ? "" : " (give --run-dir DIR)");
		return 1;
	}
	if (n == 0)
		fprintf(stderr, "perfrl acct: no iterations recorded in %s/state/iterations.jsonl "
			"yet\n", a->run_dir);
	if (!a->noheader)
		put_header(a);
	for (size_t i = 0; i < n; i++)
		if (selected(a, &recs[i]))
			put_row(a, &recs[i], now);
	iterlog_free(recs);
	if (fflush(a->out) != 0 || ferror(a->out)) {
		util_error("cannot write the report: %s", strerror(errno));
		return 1;
	}
	return 0;
}

enum { OPT_RUN_DIR = 256, OPT_DELIMITER, OPT_ITERATIONS };

static const struct option acct_options[] = {
	{"config", required_argument, NULL, 'c'},
	{"run-dir", required_argument, NULL, OPT_RUN_DIR},
	{"format", required_argument, NULL, 'o'},
	{"helpformat", no_argument, NULL, 'e'},
	{"parsable", no_argument, NULL, 'p'},
	{"parsable2", no_argument, NULL, 'P'},
	{"delimiter", required_argument, NULL, OPT_DELIMITER},
	{"noheader", no_argument, NULL, 'n'},
	{"iterations", required_argument, NULL, OPT_ITERATIONS},
	{"state", required_argument, NULL, 's'},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

int acct_main(int argc, char **argv, FILE *out)
{
	struct acct a = {.out = out, .run_dir = NULL, .delim = "|"};
	char *conf_run_dir = NULL;
	const char *format = NULL, *env;
	int c, rc = 0, helpformat = 0;

	optind = 0; /* GNU: start afresh, so that acct_main can be called again */
	while (rc == 0 && (c = getopt_long(argc, argv, "c:o:epPns:h", acct_options, NULL)) != -1) {
		switch (c) {
		case 'c':
			a.conf = optarg;
			break;
		case OPT_RUN_DIR:
			a.run_dir = optarg;
			break;
		case 'o':
			format = optarg;
			break;
		case 'e':
			helpformat = 1;
			break;
		case 'p':
			a.parsable = PARSABLE_ENDING;
			break;
		case 'P':
			a.parsable = PARSABLE_NO_ENDING;
			break;
		case OPT_DELIMITER:
			a.delim = optarg;
			break;
		case 'n':
			a.noheader = 1;
			break;
		case OPT_ITERATIONS:
			rc = parse_ranges(&a, optarg);
			break;
		case 's':
			rc = parse_states(&a, optarg);
			break;
		case 'h':
			fputs(acct_usage, out);
			goto done;
		default: /* getopt said what was wrong */
			fputs("Try 'perfrl acct --help'.\n", stderr);
			rc = 2;
			break;
		}
	}
	if (rc)
		goto done;
	if (optind < argc) {
		rc = usage_error("unexpected argument '%s'", argv[optind]);
		goto done;
	}
	if (helpformat) {
		put_helpformat(out);
		goto done;
	}
	if (a.conf && a.run_dir) {
		rc = usage_error("-c and --run-dir exclude each other");
		goto done;
	}
	if (a.conf) {
		/* The run directory is the configuration's (relative to where perfrl runs, as
		 * for `perfrl run -c`). */
		struct perfrl_config cfg;
		char err[512];
		if (config_load(a.conf, &cfg, err, sizeof err) != 0) {
			util_error("%s", err);
			rc = 1;
			goto done;
		}
		conf_run_dir = util_xstrdup(cfg.run_dir);
		a.run_dir = conf_run_dir;
		config_free(&cfg);
	}
	a.run_dir_given = a.run_dir != NULL;
	if (!a.run_dir)
		a.run_dir = "run";
	if (format)
		rc = parse_format(&a, format, "--format");
	else if ((env = getenv(ACCT_FORMAT_ENV)) && *env)
		rc = parse_format(&a, env, ACCT_FORMAT_ENV);
	else
		rc = parse_format(&a, ACCT_DEFAULT_FORMAT, "the default format");
	if (rc == 0)
		rc = report(&a);
done:
	free(a.cols);
	free(a.ranges);
	free(conf_run_dir);
	return rc;
}

int cmd_acct(int argc, char **argv)
{
	return acct_main(argc, argv, stdout);
}
