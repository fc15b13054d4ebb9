/* test_acct.c - the iteration store (iterlog) and `perfrl acct` in sacct's formats. */
#include "config.h"
#include "acct.h"
#include "iterlog.h"
#include "util.h"
#include "../lib/check.h"

#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char run_dir[] = "/tmp/perfrl-test-acct-XXXXXX";
static char store[PATH_MAX];

/* Run acct_main(argc, argv); returns its stdout, sets *rc. */
static char *acct_argv(int *rc, int argc, char **argv)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	*rc = acct_main(argc, argv, out);
	fclose(out);
	return buf;
}

/* Run `perfrl acct --run-dir RUN ARGS...` (NULL-terminated); returns its stdout, sets *rc. */
static char *run_acct(int *rc, ...)
{
	char *argv[32];
	int argc = 0;
	va_list ap;

	argv[argc++] = "acct";
	argv[argc++] = "--run-dir";
	argv[argc++] = run_dir;
	va_start(ap, rc);
	for (char *a; (a = va_arg(ap, char *)) && argc < 31;)
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;
	return acct_argv(rc, argc, argv);
}

/* CHECK_STR on acct's output, freeing it. */
#define CHECK_ACCT(want_rc, want_out, ...)                                                   \
	do {                                                                                 \
		int rc_;                                                                     \
		char *out_ = run_acct(&rc_, __VA_ARGS__, (char *)NULL);                          \
		CHECK(rc_ == (want_rc));                                                     \
		CHECK_STR(out_, want_out);                                                   \
		free(out_);                                                                  \
	} while (0)

static int append(const char *json)
{
	char err[256];
	json_t *j = json_loads(json, 0, NULL);
	int rc = iterlog_append(run_dir, j, err, sizeof err);
	json_decref(j);
	return rc;
}

static void append_raw(const char *bytes)
{
	int fd = open(store, O_WRONLY | O_APPEND);
	CHECK(fd >= 0 && write(fd, bytes, strlen(bytes)) == (ssize_t)strlen(bytes));
	close(fd);
}

static void test_store(void)
{
	struct iter_record *r;
	size_t n;
	char err[256];
	json_t *bad;

	/* Iteration 1 is appended when submitted and again when it ends. */
	CHECK(append("{\"iter\":1,\"job_id\":\"100\",\"state\":\"PENDING\",\"stage\":1,"
		     "\"submit\":1700000000}") == 0);
	CHECK(append("{\"iter\":0,\"job_id\":\"99+0\",\"state\":\"COMPLETED\",\"stage\":0,"
		     "\"submit\":1699990000,\"start\":1700000000,\"end\":1700090061,\"samples\":4,"
		     "\"ok\":1,\"wrong_answer\":3,\"best_gflops\":12.5,\"median_gflops\":12.5,"
		     "\"mean_reward\":-70.5,\"coverage\":null,\"qd_score\":null}") == 0);
	CHECK(append("{\"iter\":1,\"job_id\":\"100\",\"state\":\"COMPLETED\",\"stage\":1,"
		     "\"submit\":1700000000,\"start\":1700000010,\"end\":1700003671,\"samples\":8,"
		     "\"ok\":5,\"rejected\":1,\"compile_error\":1,\"timeout\":0,\"runtime_error\":0,"
		     "\"wrong_answer\":1,\"best_gflops\":123.456,\"median_gflops\":100,"
		     "\"mean_reward\":40.25,\"coverage\":0.42,\"qd_score\":1234.5,\"retries\":2}") == 0);
	CHECK(append("{\"iter\":2,\"job_id\":101,\"state\":\"FAILED\",\"stage\":1}") == 0);
	CHECK(append("{\"iter\":3,\"job_id\":\"123456789012345+1\",\"state\":\"timeout\","
		     "\"stage\":2,\"samples\":2,\"ok\":2,\"best_gflops\":2000.25,"
		     "\"median_gflops\":1999.75,\"mean_reward\":1999.75}") == 0);

	/* What the reader would not take is refused by the writer. */
	CHECK(append("{\"state\":\"PENDING\"}") != 0);
	CHECK(append("{\"iter\":-1,\"state\":\"PENDING\"}") != 0);
	CHECK(append("{\"iter\":5,\"state\":\"DONE\"}") != 0);
	CHECK(append("{\"iter\":5}") != 0);
	CHECK(append("{\"iter\":5,\"state\":\"PENDING\",\"samples\":\"many\"}") != 0);
	CHECK(append("{\"iter\":5,\"state\":\"PENDING\",\"job_id\":\"0123456789012345678901234567890123\"}") != 0);
	bad = json_array();
	CHECK(iterlog_append(run_dir, bad, err, sizeof err) != 0 && strstr(err, "object"));
	json_decref(bad);

	/* A crash in the middle of an append leaves a torn last line. */
	append_raw("{\"iter\":4,\"job_id\":\"102\",\"state\":\"COMP");

	CHECK(iterlog_load(run_dir, &r, &n, err, sizeof err) == 0);
	CHECK(n == 4);
	if (n == 4) {
		CHECK(r[0].iter == 0 && r[1].iter == 1 && r[2].iter == 2 && r[3].iter == 3);
		CHECK(r[1].state == ITER_COMPLETED && r[1].samples == 8 && r[1].retries == 2);
		CHECK(r[1].start == 1700000010 && r[1].coverage == 0.42);
		CHECK_STR(r[2].job_id, "101");
		CHECK(r[2].best_gflops == ITERLOG_UNKNOWN && r[2].coverage == ITERLOG_UNKNOWN);
		CHECK(r[3].state == ITER_TIMEOUT);
	}
	iterlog_free(r);
}

static void test_formats(void)
{
	/* sacct -P: the delimiter between fields only. */
	CHECK_ACCT(0,
		   "Iter|JobID|State|Elapsed|Samples|OK|BestGFLOPS|MeanReward\n"
		   "0|99+0|COMPLETED|1-01:01:01|4|25.0%|12.50|-70.50\n"
		   "1|100|COMPLETED|01:01:01|8|62.5%|123.46|40.25\n"
		   "2|101|FAILED|00:00:00|0|||\n"
		   "3|123456789012345+1|TIMEOUT|00:00:00|2|100.0%|2000.25|1999.75\n",
		   "-P", "--format=Iter,JobID,State,Elapsed,Samples,OK,BestGFLOPS,MeanReward");
	/* sacct -p: after every field, the last one included. */
	CHECK_ACCT(0,
		   "Iter|State|Stage|\n0|COMPLETED|0|\n1|COMPLETED|1|\n2|FAILED|1|\n"
		   "3|TIMEOUT|2|\n",
		   "-p", "-o", "Iter,State,Stage");
	CHECK_ACCT(0, "Iter;;State\n1;;COMPLETED\n", "-P", "--delimiter=;;", "-o", "Iter,State",
		   "--iterations", "1");
	/* -n drops the header, in both forms. */
	CHECK_ACCT(0, "2|FAILED|\n", "-n", "-p", "-o", "Iter,State", "--iterations", "2");
	CHECK_ACCT(0, "     2 FAILED     \n", "-n", "-o", "Iter,State", "--iterations", "2");
	/* The rest of the fields, and the dates in local time (TZ=UTC here). */
	CHECK_ACCT(0,
		   "Submit|Start|End|OKCount|Rejected|CompileErr|Timeout|RuntimeErr|WrongAns|"
		   "MedianGFLOPS|Coverage|QDScore|Retries\n"
		   "2023-11-14T22:13:20|2023-11-14T22:13:30|2023-11-14T23:14:31|5|12.5%|12.5%|"
		   "0.0%|0.0%|12.5%|100.00|0.420|1234.5|2\n"
		   "Unknown|Unknown|Unknown|0|||||||||0\n",
		   "-P", "--iterations=1-2",
		   "--format=Submit,Start,End,OKCount,Rejected,CompileErr,Timeout,RuntimeErr,"
		   "WrongAns,MedianGFLOPS,Coverage,QDScore,Retries");

	/* Fixed width, the default format: each field then one space; a long value ends in '+'. */
	CHECK_ACCT(0,
		   "  Iter JobID        State      Stage    Elapsed Samples     OK BestGFLOPS "
		   "MeanReward \n"
		   "------ ------------ ---------- ----- ---------- ------- ------ ---------- "
		   "---------- \n"
		   "     0 99+0         COMPLETED      0 1-01:01:01       4  25.0%      12.50 "
		   "    -70.50 \n"
		   "     1 100          COMPLETED      1   01:01:01       8  62.5%     123.46 "
		   "     40.25 \n"
		   "     2 101          FAILED         1   00:00:00       0                   "
		   "           \n"
		   "     3 12345678901+ TIMEOUT        2   00:00:00       2 100.0%    2000.25 "
		   "   1999.75 \n",
		   "-o", "Iter,JobID,State,Stage,Elapsed,Samples,OK,BestGFLOPS,MeanReward");
	/* %W: positive right-justifies, negative left-justifies; the header is cut plainly. */
	CHECK_ACCT(0,
		   "Ite    JobID Stat \n"
		   "--- -------- ---- \n"
		   "1        100 COM+ \n"
		   "2        101 FAI+ \n",
		   "--format=Iter%-3,JobID%8,State%-4", "--iterations=1,2");
	CHECK_ACCT(0, "   1 \n   2 \n", "-n", "--format", "Iter%4", "--iterations=1-2");
	/* Parsable output is never cut. */
	CHECK_ACCT(0, "JobID\n123456789012345+1\n", "-P", "--format=JobID%3", "--iterations=3");
	/* A width of 1 still shows that something was cut. */
	CHECK_ACCT(0, "S \n- \n+ \n", "--format=State%1", "--iterations=3");

	/* Names match case-insensitively by unique prefix; an exact name beats a longer one. */
	CHECK_ACCT(0, "Iter|JobID|OK|OKCount|BestGFLOPS|MedianGFLOPS|QDScore\n"
		      "1|100|62.5%|5|123.46|100.00|1234.5\n",
		   "-P", "--iterations=1", "--format=it, JOBI,ok,okc,Best,median,q");
	CHECK_ACCT(2, "", "--format=Iter,Sta");       /* Stage, State, Start */
	CHECK_ACCT(2, "", "--format=Iter,Nodes");     /* unknown */
	CHECK_ACCT(2, "", "--format=Iter%x");
	CHECK_ACCT(2, "", "--format=Iter%0");
	CHECK_ACCT(2, "", "--format=Iter%");
	CHECK_ACCT(2, "", "--format=%5");
	CHECK_ACCT(2, "", "--format=,");

	/* The environment sets the default list; --format still wins. */
	setenv("PERFRL_ACCT_FORMAT", "iter,state%-3", 1);
	CHECK_ACCT(0, "     1 CO+ \n", "-n", "--iterations=1");
	CHECK_ACCT(0, "1|100\n", "-n", "-P", "--iterations=1", "--format=Iter,JobID");
	setenv("PERFRL_ACCT_FORMAT", "Bogus", 1);
	CHECK_ACCT(2, "", "-n");
	unsetenv("PERFRL_ACCT_FORMAT");
}

static void test_filters(void)
{
	CHECK_ACCT(0, "1\n3\n", "-n", "-P", "-o", "Iter", "--iterations", "1,3");
	CHECK_ACCT(0, "0\n1\n3\n", "-n", "-P", "-o", "Iter", "--iterations", "3,0-1,1");
	CHECK_ACCT(0, "", "-n", "-P", "-o", "Iter", "--iterations", "7-9");
	CHECK_ACCT(2, "", "--iterations", "3-1");
	CHECK_ACCT(2, "", "--iterations", "a");
	CHECK_ACCT(2, "", "--iterations", "1,");
	CHECK_ACCT(2, "", "--iterations", "-1");
	CHECK_ACCT(0, "0\n1\n", "-n", "-P", "-o", "Iter", "--state", "cd");
	CHECK_ACCT(0, "2\n3\n", "-n", "-P", "-o", "Iter", "-s", "F,timeout");
	CHECK_ACCT(0, "Iter\n", "-P", "-o", "Iter", "--state=R,PD");
	CHECK_ACCT(0, "1\n", "-n", "-P", "-o", "Iter", "--state=completed", "--iterations=1-2");
	CHECK_ACCT(2, "", "--state", "XX");
	CHECK_ACCT(2, "", "--state", ",");
}

static void test_cli(void)
{
	char empty[] = "/tmp/perfrl-test-acct-empty-XXXXXX", missing[PATH_MAX + 16];
	char *argv[] = {"acct", "--run-dir", empty, "-P", "-o", "Iter,State", NULL};
	char *conf[] = {"acct", "-c", "perfrl.conf", NULL}, *out;
	int rc;

	CHECK(mkdtemp(empty) != NULL);
	/* An empty store: just the header (and a note on stderr). */
	out = acct_argv(&rc, 6, argv);
	CHECK(rc == 0);
	CHECK_STR(out, "Iter|State\n");
	free(out);
	/* A missing run directory is an error. */
	snprintf(missing, sizeof missing, "%s/nope", empty);
	argv[2] = missing;
	out = acct_argv(&rc, 6, argv);
	CHECK(rc == 1);
	CHECK_STR(out, "");
	free(out);
	/* -c takes the run directory from the configuration. */
	{
		char cpath[PATH_MAX + 32];
		FILE *f;
		snprintf(cpath, sizeof cpath, "%s/perfrl.conf", empty);
		f = fopen(cpath, "w");
		CHECK(f != NULL);
		if (f) {
			fprintf(f, "run_dir = \"%s\";\n", empty);
			fclose(f);
		}
		conf[2] = cpath;
		out = acct_argv(&rc, 3, conf);
		CHECK(rc == 0 && strstr(out, "Iter") != NULL);
		free(out);
		/* A broken configuration is an error (1), named by file:line on stderr. */
		f = fopen(cpath, "w");
		if (f) {
			fputs("iterations = \"many\";\n", f);
			fclose(f);
		}
		out = acct_argv(&rc, 3, conf);
		CHECK(rc == 1);
		CHECK_STR(out, "");
		free(out);
		unlink(cpath);
		conf[2] = "perfrl.conf";
	}
	rmdir(empty);
	CHECK_ACCT(2, "", "-c", "perfrl.conf"); /* with --run-dir */
	CHECK_ACCT(2, "", "extra");
	CHECK_ACCT(2, "", "--no-such-option");
	out = run_acct(&rc, "--helpformat", (char *)NULL);
	CHECK(rc == 0 && strstr(out, "Iter") && strstr(out, "MedianGFLOPS") &&
	      strstr(out, "Retries") && strstr(out, "Rounds") && strstr(out, "Ckpt\n"));
	free(out);

	/* An iteration of rounds: one more row per round (Iter N.R), sacct's job steps; -X
	 * hides them. Its checkpoints are gone (none on disk): pruned if its update was applied. */
	CHECK(append("{\"iter\":4,\"job_id\":\"102\",\"state\":\"COMPLETED\",\"stage\":2,"
		     "\"samples\":6,\"ok\":3,\"wrong_answer\":3,\"mean_reward\":1,\"rounds\":2,"
		     "\"rounds_done\":1,\"round_stats\":[{\"round\":1,\"samples\":4,\"ok\":3,"
		     "\"wrong_answer\":1,\"mean_reward\":4.5,\"best_gflops\":9,\"updated\":true},"
		     "{\"round\":2,\"samples\":2,\"wrong_answer\":2,\"mean_reward\":-10}]}") == 0);
	CHECK_ACCT(0, "Iter|JobID|Samples|WrongAns|MeanReward|BestGFLOPS|Rounds|Ckpt\n"
		      "4|102|6|50.0%|1.00||1/2|\n"
		      "4.1|102|4|25.0%|4.50|9.00||pruned\n"
		      "4.2|102|2|100.0%|-10.00|||none\n",
		   "-P", "--iterations=4", "-o", "Iter,JobID,Samples,WrongAns,MeanReward,BestGFLOPS,Rounds,Ckpt");
	CHECK_ACCT(0, "4|1/2\n", "-P", "-n", "-X", "--iterations=4", "-o", "Iter,Rounds");
	/* A round the record's rounds do not have is refused by the writer. */
	CHECK(append("{\"iter\":5,\"state\":\"COMPLETED\",\"rounds\":2,"
		     "\"round_stats\":[{\"round\":3}]}") != 0);
	out = run_acct(&rc, "-h", (char *)NULL);
	CHECK(rc == 0 && strstr(out, "--parsable2"));
	free(out);
}

/* Every line of the store parses, but those that contain skip. */
static int lines_parse(const char *text, const char *skip)
{
	char *copy = util_xstrdup(text), *save = NULL;
	int ok = 1;
	for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		json_t *j = strstr(l, skip) ? NULL : json_loads(l, 0, NULL);
		if (!strstr(l, skip) && !json_is_object(j))
			ok = 0;
		json_decref(j);
	}
	free(copy);
	return ok;
}

/* The store survives a crash: a torn tail is cut by the next append, whole lines are kept. */
static void test_repair(void)
{
	struct iter_record *r, rec;
	size_t n, len;
	char err[256], *text;
	json_t *j;
	time_t now = time(NULL);
	int rc;

	/* The torn iteration 4 from test_store is still there: the next append cuts it. */
	CHECK(append("{\"iter\":4,\"job_id\":\"102\",\"state\":\"CANCELLED\"}") == 0);
	/* An unreadable line in the middle is skipped; a whole record that only lost its
	 * newline is kept. */
	append_raw("not json\n{\"iter\":5,\"state\":\"PREEMPTED\"}");
	iterlog_record_init(&rec, 6);
	snprintf(rec.job_id, sizeof rec.job_id, "200+0");
	rec.state = ITER_RUNNING;
	rec.stage = 3;
	rec.submit = now - 4000;
	rec.start = now - 3600;
	j = iterlog_record_json(&rec);
	CHECK(j != NULL);
	CHECK(iterlog_append(run_dir, j, err, sizeof err) == 0);
	json_decref(j);

	text = util_read_file(store, 0, &len);
	CHECK(text && len && text[len - 1] == '\n' && !strstr(text, "\"COMP\"") &&
	      !strstr(text, "COMP{") && lines_parse(text, "not json"));
	free(text);
	CHECK(iterlog_load(run_dir, &r, &n, err, sizeof err) == 0);
	CHECK(n == 7);
	if (n == 7) {
		CHECK(r[4].iter == 4 && r[4].state == ITER_CANCELLED);
		CHECK(r[5].iter == 5 && r[5].state == ITER_PREEMPTED);
		CHECK(r[6].iter == 6 && r[6].state == ITER_RUNNING && r[6].start == now - 3600);
		CHECK(r[6].stage == 3 && r[6].submit == now - 4000 && r[6].end == 0);
		CHECK_STR(r[6].job_id, "200+0");
		CHECK(r[6].best_gflops == ITERLOG_UNKNOWN && r[6].qd_score == ITERLOG_UNKNOWN);
	}
	iterlog_free(r);

	/* A running iteration's Elapsed counts up to now. */
	text = run_acct(&rc, "-n", "-P", "-o", "Elapsed,State,JobID", "--iterations=6", (char *)NULL);
	CHECK(rc == 0 && text && !strncmp(text, "01:00:0", 7) && strstr(text, "|RUNNING|200+0\n"));
	free(text);
	CHECK_ACCT(0, "4|CANCELLED\n5|PREEMPTED\n", "-n", "-P", "-o", "Iter,State", "-s", "ca,pr");
}

static void test_summarise(void)
{
	struct iter_record r;
	json_t *a = json_loads("[{\"status\":\"ok\",\"gflops\":100,\"reward\":100},"
			       "{\"status\":\"ok\",\"gflops\":300.5,\"reward\":300.5},"
			       "{\"status\":\"rejected\",\"gflops\":null,\"reward\":-100},"
			       "{\"status\":\"ok\",\"gflops\":200,\"reward\":200},"
			       "{\"status\":\"compile_error\",\"gflops\":null,\"reward\":-40},"
			       "{\"status\":\"ok\",\"gflops\":50,\"reward\":50},"
			       "{\"status\":\"timeout\",\"reward\":-30},"
			       "{\"status\":\"runtime_error\",\"reward\":-20},"
			       "{\"status\":\"wrong_answer\",\"gflops\":null,\"reward\":-10}]",
			       0, NULL);

	iterlog_record_init(&r, 7);
	r.state = ITER_COMPLETED;
	CHECK(iterlog_summarise(a, &r) == 0);
	CHECK(r.samples == 9 && r.ok == 4 && r.rejected == 1 && r.compile_error == 1);
	CHECK(r.timeout == 1 && r.runtime_error == 1 && r.wrong_answer == 1);
	CHECK(r.best_gflops == 300.5 && r.median_gflops == 150);
	CHECK(r.mean_reward == 450.5 / 9);
	CHECK(r.iter == 7 && r.state == ITER_COMPLETED);

	/* Odd count; elements without a known status or a reward are not counted. */
	json_array_remove(a, 0);
	json_array_append_new(a, json_pack("{s:s}", "status", "ok"));
	json_array_append_new(a, json_pack("{s:s, s:f}", "status", "exploded", "reward", 1.0));
	json_array_append_new(a, json_integer(3));
	CHECK(iterlog_summarise(a, &r) == -1);
	CHECK(r.samples == 8 && r.ok == 3 && r.best_gflops == 300.5 && r.median_gflops == 200);
	json_decref(a);

	/* No ok samples: no GFLOPS; no samples at all: no mean reward either. */
	a = json_loads("[{\"status\":\"rejected\",\"reward\":-100}]", 0, NULL);
	CHECK(iterlog_summarise(a, &r) == 0);
	CHECK(r.samples == 1 && r.ok == 0 && r.best_gflops == ITERLOG_UNKNOWN);
	CHECK(r.median_gflops == ITERLOG_UNKNOWN && r.mean_reward == -100);
	json_decref(a);
	a = json_array();
	CHECK(iterlog_summarise(a, &r) == 0 && r.samples == 0 && r.rejected == 0);
	json_decref(a);
	CHECK(iterlog_summarise(NULL, &r) == -1);
}

int main(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	unsetenv("PERFRL_ACCT_FORMAT");
	if (!mkdtemp(run_dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(store, sizeof store, "%s/state/iterations.jsonl", run_dir);

	test_store();
	test_formats();
	test_filters();
	test_cli();
	test_repair();
	test_summarise();

	util_rmtree(run_dir);
	return CHECK_DONE();
}
