/* acct.c - `perfrl acct`: one row per RL iteration, in sacct's formats. */
#include "config.h"
#include "acct.h"
#include "checkpoints.h"
#include "conf.h"
#include "iterlog.h"
#include "table.h"
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

static const char acct_usage[] =
	"usage: perfrl acct [OPTIONS]\n"
	"\n"
	"One row per RL iteration from RUN/state/iterations.jsonl, in sacct's formats, and\n"
	"with gpu_step.rounds > 1 one more per round (Iter N.R: its samples and rewards),\n"
	"as sacct lists a job's steps.\n"
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
	"  -X, --allocations      iterations only, no round rows\n"
	"      --iterations LIST  only these iterations: N, N-M, comma-separated\n"
	"  -s, --state LIST       only these states, comma-separated: PENDING (PD), RUNNING (R),\n"
	"                         COMPLETED (CD), FAILED (F), CANCELLED (CA), TIMEOUT (TO),\n"
	"                         NODE_FAIL (NF), PREEMPTED (PR), REQUEUED (RQ)\n"
	"  -h, --help             this text\n"
	"\n"
	"Exit status: 0, 1 when the records cannot be read, 2 for usage errors. See perfrl-acct(1).\n";

/* ---- fields ---------------------------------------------------------------------------- */

/* A row: an iteration, or (round > 0) one round of an iteration of several, sacct's job step.
 * The record comes first, so that every printer reads a row as a struct iter_record. */
struct acct_row {
	struct iter_record rec; /* a round's: its own samples and rewards, no times */
	int round;
	char ckpt[8]; /* the round's checkpoint: yes, best, pruned, none; "" not one row's */
};

/* A printer writes one cell of an iteration (a struct iter_record) at time now (the table's
 * context); an empty string is a blank cell. */

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

static void p_iter(const void *row, const void *ctx, char *buf, size_t len)
{
	const struct acct_row *a = row;
	(void)ctx;
	if (a->round)
		snprintf(buf, len, "%ld.%d", a->rec.iter, a->round);
	else
		snprintf(buf, len, "%ld", a->rec.iter);
}

static void p_rounds(const void *row, const void *ctx, char *buf, size_t len)
{
	const struct acct_row *a = row;
	(void)ctx;
	if (a->round)
		buf[0] = '\0';
	else
		snprintf(buf, len, "%d/%d", a->rec.rounds_done, a->rec.rounds);
}

static void p_ckpt(const void *row, const void *ctx, char *buf, size_t len)
{
	const struct acct_row *a = row;
	(void)ctx;
	snprintf(buf, len, "%s", a->ckpt);
}

static void p_jobid(const void *row, const void *ctx, char *buf, size_t len)
{
	const struct iter_record *r = row;
	(void)ctx;
	snprintf(buf, len, "%s", r->job_id);
}

static void p_state(const void *row, const void *ctx, char *buf, size_t len)
{
	const struct iter_record *r = row;
	(void)ctx;
	snprintf(buf, len, "%s", iterlog_state_name(r->state));
}

static void p_stage(const void *row, const void *ctx, char *buf, size_t len)
{
	const struct iter_record *r = row;
	(void)ctx;
	snprintf(buf, len, "%d", r->stage);
}

static void p_submit(const void *row, const void *ctx, char *buf, size_t len)
{
	const struct iter_record *r = row;
	(void)ctx;
	print_date(r->submit, buf, len);
}

static void p_start(const void *row, const void *ctx, char *buf, size_t len)
{
	const struct iter_record *r = row;
	(void)ctx;
	print_date(r->start, buf, len);
}

static void p_end(const void *row, const void *ctx, char *buf, size_t len)
{
	const struct iter_record *r = row;
	(void)ctx;
	print_date(r->end, buf, len);
}

/* Like sacct: [D-]HH:MM:SS; a running iteration counts up to now, a pending one is zero. */
static void p_elapsed(const void *row, const void *ctx, char *buf, size_t len)
{
	const struct iter_record *r = row;
	time_t now = *(const time_t *)ctx;
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
	static void fn(const void *row, const void *ctx, char *buf, size_t len)      \
	{                                                                                   \
		const struct iter_record *r = row;                                          \
		(void)ctx;                                                                  \
		snprintf(buf, len, "%ld", (long)r->member);                                 \
	}
#define SHARE_PRINTER(fn, member)                                                           \
	static void fn(const void *row, const void *ctx, char *buf, size_t len)      \
	{                                                                                   \
		const struct iter_record *r = row;                                          \
		(void)ctx;                                                                  \
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

static void p_best(const void *row, const void *ctx, char *buf, size_t len)
{
	const struct iter_record *r = row;
	(void)ctx;
	print_known(r->best_gflops, 2, buf, len);
}

static void p_median(const void *row, const void *ctx, char *buf, size_t len)
{
	const struct iter_record *r = row;
	(void)ctx;
	print_known(r->median_gflops, 2, buf, len);
}

static void p_reward(const void *row, const void *ctx, char *buf, size_t len)
{
	const struct iter_record *r = row;
	(void)ctx;
	if (r->samples > 0)
		snprintf(buf, len, "%.2f", r->mean_reward);
	else
		buf[0] = '\0';
}

static void p_coverage(const void *row, const void *ctx, char *buf, size_t len)
{
	const struct iter_record *r = row;
	(void)ctx;
	print_known(r->coverage, 3, buf, len);
}

static void p_qdscore(const void *row, const void *ctx, char *buf, size_t len)
{
	const struct iter_record *r = row;
	(void)ctx;
	print_known(r->qd_score, 1, buf, len);
}

/* The fields, sacct-style: adding one is adding a row. */
static const struct table_field acct_fields[] = {
	{"Iter", 6, p_iter, 0},
	{"JobID", -12, p_jobid, 0},
	{"State", -10, p_state, 0},
	{"Stage", 5, p_stage, 0},
	{"Submit", 19, p_submit, 0},
	{"Start", 19, p_start, 0},
	{"End", 19, p_end, 0},
	{"Elapsed", 10, p_elapsed, 0},
	{"Samples", 7, p_samples, 0},
	{"OK", 6, p_ok, 0},
	{"OKCount", 7, p_okcount, 0},
	{"Rejected", 8, p_rejected, 0},
	{"CompileErr", 10, p_compile, 0},
	{"Timeout", 7, p_timeout, 0},
	{"RuntimeErr", 10, p_runtime, 0},
	{"WrongAns", 8, p_wrong, 0},
	{"BestGFLOPS", 10, p_best, 0},
	{"MedianGFLOPS", 12, p_median, 0},
	{"MeanReward", 10, p_reward, 0},
	{"Coverage", 8, p_coverage, 0},
	{"QDScore", 10, p_qdscore, 0},
	{"Retries", 7, p_retries, 0},
	{"Rounds", 6, p_rounds, 0},
	{"Ckpt", -6, p_ckpt, 0},
};
#define NFIELDS (sizeof acct_fields / sizeof acct_fields[0])

/* ---- options --------------------------------------------------------------------------- */

struct iter_range {
	long lo, hi;
};

struct acct {
	const char *run_dir;
	int run_dir_given;
	const char *conf;
	struct table table;
	struct iter_range *ranges; /* NULL: every iteration */
	size_t nranges;
	unsigned states; /* bit per enum iter_state; 0: every state */
	int allocations; /* -X: no round rows */
};

/* The columns of list; origin names where the list came from. */
static int parse_format(struct acct *a, const char *list, const char *origin)
{
	char err[1536];
	if (table_format(&a->table, list, err, sizeof err) != 0)
		return util_usage_error("%s: %s", origin, err);
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
	return util_usage_error("--iterations: bad list '%s' (N, N-M with N <= M, comma-separated)",
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
			rc = util_usage_error("--state: unknown state '%s'; valid: PENDING (PD), RUNNING "
					 "(R), COMPLETED (CD), FAILED (F), CANCELLED (CA), TIMEOUT "
					 "(TO), NODE_FAIL (NF), PREEMPTED (PR), REQUEUED (RQ)",
					 tok);
			break;
		}
		a->states |= 1u << st;
	}
	if (rc == 0 && a->states == 0)
		rc = util_usage_error("--state: no states in '%s'", list);
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

/* ---- the command ----------------------------------------------------------------------- */

/* Round k's checkpoint (k 0: an iteration row; it speaks for its round only when it has one):
 * yes, best (the one gpu_step.keep_checkpoints keeps for its reward), pruned (its update was
 * applied, the checkpoint has since been deleted), none; "" for an iteration of rounds. */
static void ckpt_state(const char *run_dir, const struct iter_record *r, int k, long best_iter,
		       int best_round, char *out)
{
	char rd[PATH_MAX], dir[PATH_MAX];
	int updated = r->rounds > 1 ? r->round[k > 0 ? k - 1 : 0].updated : r->rounds_done > 0;
	out[0] = '\0';
	if ((k == 0 && r->rounds > 1) ||
	    snprintf(dir, sizeof dir, "%s/iter-%04ld", run_dir, r->iter) >= (int)sizeof dir ||
	    iterlog_round_dir(rd, sizeof rd, dir, k ? k : 1, r->rounds) != 0)
		return;
	if (checkpoints_complete(rd))
		snprintf(out, 8, "%s", best_iter == r->iter && best_round == (r->rounds > 1 ? k : 0)
					       ? "best" : "yes");
	else
		snprintf(out, 8, "%s", updated ? "pruned" : "none");
}

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
	a->table.ctx = &now;
	table_header(&a->table);
	{
		long best_iter = -1;
		int best_round = -1;
		struct acct_row *row = util_xcalloc(1, sizeof *row);
		checkpoints_best(a->run_dir, recs, n, &best_iter, &best_round);
		for (size_t i = 0; i < n; i++) {
			const struct iter_record *r = &recs[i];
			if (!selected(a, r))
				continue;
			row->rec = *r;
			row->round = 0;
			ckpt_state(a->run_dir, r, 0, best_iter, best_round, row->ckpt);
			table_row(&a->table, row);
			for (int k = 1; !a->allocations && r->rounds > 1 && k <= r->rounds; k++) {
				const struct iter_round *ro = &r->round[k - 1];
				iterlog_record_init(&row->rec, r->iter);
				snprintf(row->rec.job_id, sizeof row->rec.job_id, "%s", r->job_id);
				row->rec.state = r->state;
				row->rec.stage = r->stage;
				row->rec.rounds = r->rounds;
				row->rec.samples = ro->samples;
				row->rec.ok = ro->ok;
				row->rec.rejected = ro->rejected;
				row->rec.compile_error = ro->compile_error;
				row->rec.timeout = ro->timeout;
				row->rec.runtime_error = ro->runtime_error;
				row->rec.wrong_answer = ro->wrong_answer;
				row->rec.best_gflops = ro->best_gflops;
				row->rec.median_gflops = ro->median_gflops;
				row->rec.mean_reward = ro->mean_reward;
				row->round = k;
				ckpt_state(a->run_dir, r, k, best_iter, best_round, row->ckpt);
				table_row(&a->table, row);
			}
		}
		free(row);
	}
	iterlog_free(recs);
	if (fflush(a->table.out) != 0 || ferror(a->table.out)) {
		util_error("cannot write the report: %s", strerror(errno));
		return 1;
	}
	return 0;
}

enum { OPT_RUN_DIR = 256, OPT_ITERATIONS };

static const struct option acct_options[] = {
	{"config", required_argument, NULL, 'c'},
	{"run-dir", required_argument, NULL, OPT_RUN_DIR},
	TABLE_LONG_OPTIONS,
	{"iterations", required_argument, NULL, OPT_ITERATIONS},
	{"state", required_argument, NULL, 's'},
	{"allocations", no_argument, NULL, 'X'},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

int acct_main(int argc, char **argv, FILE *out)
{
	struct acct a = {.run_dir = NULL};
	struct table_opts topts = {0};
	char *conf_run_dir = NULL;
	const char *env;
	int c, rc = 0;

	optind = 0; /* GNU: start afresh, so that acct_main can be called again */
	while (rc == 0 && (c = getopt_long(argc, argv, "c:o:es:Xh" TABLE_SHORT_OPTIONS,
					   acct_options, NULL)) != -1) {
		switch (c) {
		case 'c':
			a.conf = optarg;
			break;
		case OPT_RUN_DIR:
			a.run_dir = optarg;
			break;
		case 'o': /* sacct's short forms */
			topts.format = optarg;
			break;
		case 'e':
			topts.helpformat = 1;
			break;
		case OPT_ITERATIONS:
			rc = parse_ranges(&a, optarg);
			break;
		case 's':
			rc = parse_states(&a, optarg);
			break;
		case 'X':
			a.allocations = 1;
			break;
		case 'h':
			fputs(acct_usage, out);
			goto done;
		default:
			if (table_option(&topts, c, optarg))
				break;
			/* getopt said what was wrong */
			fputs("Try 'perfrl acct --help'.\n", stderr);
			rc = 2;
			break;
		}
	}
	table_init(&a.table, acct_fields, NFIELDS, &topts, out);
	if (rc)
		goto done;
	if (optind < argc) {
		rc = util_usage_error("unexpected argument '%s'", argv[optind]);
		goto done;
	}
	if (topts.helpformat) {
		table_helpformat(&a.table, out);
		goto done;
	}
	if (a.conf && a.run_dir) {
		rc = util_usage_error("-c and --run-dir exclude each other");
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
	if (topts.format)
		rc = parse_format(&a, topts.format, "--format");
	else if ((env = getenv(ACCT_FORMAT_ENV)) && *env)
		rc = parse_format(&a, env, ACCT_FORMAT_ENV);
	else
		rc = parse_format(&a, ACCT_DEFAULT_FORMAT, "the default format");
	if (rc == 0)
		rc = report(&a);
done:
	table_free(&a.table);
	free(a.ranges);
	free(conf_run_dir);
	return rc;
}

int cmd_acct(int argc, char **argv)
{
	return acct_main(argc, argv, stdout);
}
