/* test_slurm_client.c - the libslurm client against the real local cluster (jobs/local-cluster).
 *
 * Submits small heterogeneous jobs with sc_submit_het and watches them with sc_query: one that
 * completes (checking what each component saw), one that fails, one cancelled whole, one that
 * loses its CPU component; then unknown ids (SC_GONE) and an unreachable slurmctld
 * (SC_UNREACHABLE, in a child process with a config that names a dead port). Prints the
 * submit-to-start latency.
 *
 * Exit 77 (skip) when no cluster answers and we are not root; as root it runs
 * `jobs/local-cluster up` itself and `down` again at the end (PERFRL_TEST_KEEP_CLUSTER=1 keeps it).
 * SLURM_CONF, when set, names the cluster to use.
 */
#include "config.h"
#include "../lib/check.h"
#include "slurm_client.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RUN_LIMIT 60.0   /* seconds a test job may take from submission to its end */

static char work[256];   /* the jobs' working directory */
static char lc[1024];    /* jobs/local-cluster */
static char err[512];

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void nap(double s)
{
	struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};

	nanosleep(&ts, NULL);
}

/* The first line of a file in work/, or "" (static buffer). */
static const char *slurp(const char *name)
{
	static char buf[512];
	char path[512];
	FILE *f;

	buf[0] = '\0';
	snprintf(path, sizeof path, "%s/%s", work, name);
	f = fopen(path, "r");
	if (!f)
		return buf;
	if (!fgets(buf, sizeof buf, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

static int exists(const char *name)
{
	char path[512];

	snprintf(path, sizeof path, "%s/%s", work, name);
	return access(path, F_OK) == 0;
}

/* ------------------------------------------------------------------ the cluster */

/* Run a shell command quietly; its exit status. */
static int sh(const char *cmd)
{
	int st = system(cmd);

	return st == -1 ? -1 : WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* SLURM_CONF from `jobs/local-cluster env` ("export SLURM_CONF=PATH"). */
static int conf_from_lc(void)
{
	char cmd[1100], line[1024];
	FILE *p;
	int ok = 0;

	snprintf(cmd, sizeof cmd, "'%s' env 2>/dev/null", lc);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	while (fgets(line, sizeof line, p)) {
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "export SLURM_CONF=", 18) == 0) {
			setenv("SLURM_CONF", line + 18, 1);
			ok = 1;
		}
	}
	pclose(p);
	return ok ? 0 : -1;
}

/* sc_ping in a child: slurm_init reads the config once per process, and the cluster may not be
 * up (or configured) yet. */
static int ping_in_child(void)
{
	pid_t pid = fork();
	int st = -1;

	if (pid == 0)
		_exit(sc_ping(NULL, 0) == SC_OK ? 0 : 1);
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* 0: a cluster answers (*started set if we started it); 77: skip; 1: failure. */
static int cluster_up(int *started)
{
	const char *top = getenv("top_srcdir");
	char cmd[1400];

	*started = 0;
	snprintf(lc, sizeof lc, "%s/jobs/local-cluster", top && *top ? top : ".");
	if (getenv("SLURM_CONF") && ping_in_child() == 0) {
		printf("# using the cluster of SLURM_CONF=%s\n", getenv("SLURM_CONF"));
		return 0;
	}
	if (access(lc, X_OK) != 0) {
		printf("# SKIP: %s not found (set top_srcdir)\n", lc);
		return 77;
	}
	snprintf(cmd, sizeof cmd, "'%s' status >/dev/null 2>&1", lc);
	if (sh(cmd) == 0 && conf_from_lc() == 0 && ping_in_child() == 0) {
		printf("# reusing the running local cluster (SLURM_CONF=%s)\n", getenv("SLURM_CONF"));
		return 0;
	}
	if (geteuid() != 0) {
		printf("# SKIP: no Slurm cluster answers and starting one needs root (%s up)\n", lc);
		return 77;
	}
	printf("# starting the local cluster: %s up\n", lc);
	unsetenv("SLURM_CONF");
	snprintf(cmd, sizeof cmd, "'%s' up >%s/up.log 2>&1", lc, work);
	if (sh(cmd) != 0) {
		snprintf(cmd, sizeof cmd, "cat %s/up.log >&2", work);
		sh(cmd);
		fprintf(stderr, "FAIL: %s up\n", lc);
		return 1;
	}
	*started = 1;
	if (conf_from_lc() != 0 || ping_in_child() != 0) {
		fprintf(stderr, "FAIL: the cluster started but does not answer\n");
		return 1;
	}
	return 0;
}

/* ------------------------------------------------------------------ jobs */

static char *job_env[] = {"PERFRL_SC_TEST=hello from the orchestrator", NULL};

/* A het job like an iteration's, tiny: gpu:1 on partition gpu; 2 tasks, one per cpu node. */
static struct sc_job_spec spec_for(const char *name, const char *script)
{
	static char out[300];
	struct sc_job_spec s;

	memset(&s, 0, sizeof s);
	snprintf(out, sizeof out, "%s/job-%%j.out", work);
	s.name = name;
	s.comment = "perfrl test_slurm_client (safe to cancel)";
	s.workdir = work;
	s.std_out = out;
	s.script = script;
	s.env = job_env;
	s.comp[0] = (struct sc_component){.partition = "gpu", .gres = "gpu:1", .ntasks = 1,
					  .time_limit_min = 5};
	s.comp[1] = (struct sc_component){.partition = "cpu", .nodes = 2, .ntasks = 2,
					  .ntasks_per_node = 1, .cpus_per_task = 1,
					  .time_limit_min = 5};
	return s;
}

/* Poll until the job is finished (want_running: until it runs) or the limit; 0 if reached. */
static int wait_job(uint32_t id, struct sc_job_state *st, int want_running, double *seen_running)
{
	double t0 = now();
	int rc;

	while (now() - t0 < RUN_LIMIT) {
		rc = sc_query(id, st, err, sizeof err);
		if (rc != SC_OK) {
			fprintf(stderr, "sc_query(%u): %s: %s\n", id, sc_rc_name(rc), err);
			if (rc != SC_UNREACHABLE)
				return -1;
		} else {
			if (strcmp(st->state, "PENDING") != 0 && seen_running && *seen_running == 0)
				*seen_running = now();
			if (want_running ? strcmp(st->state, "RUNNING") == 0 : st->finished)
				return 0;
		}
		nap(0.05);
	}
	fprintf(stderr, "job %u: still %s after %.0f s\n", id, st->state, RUN_LIMIT);
	return -1;
}

static void show(const struct sc_job_state *st)
{
	int k;

	printf("# job %u %s (%s) restarts %u\n", st->het_job_id, st->state, st->name, st->restart_cnt);
	for (k = 0; k < st->ncomp; k++) {
		const struct sc_comp_state *c = &st->comp[k];

		printf("#   +%u job %u %-10s reason %-10s exit %d sig %d nodes %-10s part %s "
		       "submit %ld start %+ld end %+ld\n",
		       c->offset, c->job_id, c->state, c->reason, c->exit_code, c->exit_signal,
		       c->nodes, c->partition, (long)c->submit_time,
		       c->start_time ? (long)(c->start_time - c->submit_time) : -1L,
		       c->end_time ? (long)(c->end_time - c->submit_time) : -1L);
	}
}

/* 1. a job that completes: what each component saw, and how long it took to start. */
static const char complete_script[] =
	"#!/bin/bash\n"
	"date +%s.%N > started\n"
	"echo \"batch on $SLURMD_NODENAME het_size=$SLURM_HET_SIZE env=$PERFRL_SC_TEST\" > batch\n"
	"srun --het-group=0 -n 1 bash -c 'hostname > out0.host; echo \"${CUDA_VISIBLE_DEVICES:-unset}\" > out0' || exit 10\n"
	"env -u CUDA_VISIBLE_DEVICES srun --het-group=1 -n 2 --ntasks-per-node=1 \\\n"
	"  bash -c 'echo \"$SLURMD_NODENAME ${CUDA_VISIBLE_DEVICES:-unset} $SLURM_NTASKS\" > out1.$SLURM_PROCID' || exit 11\n";

static void test_complete(void)
{
	struct sc_job_state st;
	struct sc_job_spec s = spec_for("perfrl:sc-test:iter-0001", complete_script);
	uint32_t id = 0, found[8];
	double t0, t_run = 0, t_start;
	int rc, n, k, hit = 0;
	char a[64], b[64];

	t0 = now();
	rc = sc_submit_het(&s, &id, err, sizeof err);
	printf("# submitted het job %u in %.3f s%s%s\n", id, now() - t0, *err ? ": " : "", err);
	CHECK(rc == SC_OK);
	CHECK(id > 0);
	if (rc != SC_OK)
		return;

	n = sc_find_by_name(s.name, found, 8, err, sizeof err);
	for (k = 0; k < n && k < 8; k++)
		hit |= found[k] == id;
	CHECK(n >= 1 && hit);

	CHECK(wait_job(id, &st, 0, &t_run) == 0);
	show(&st);
	CHECK_STR(st.state, "COMPLETED");
	CHECK(st.finished && st.ok);
	CHECK(st.ncomp == 2);
	CHECK(st.het_job_id == id);
	CHECK_STR(st.name, "perfrl:sc-test:iter-0001");
	CHECK_STR(st.comment, "perfrl test_slurm_client (safe to cancel)");
	CHECK(st.restart_cnt == 0);
	for (k = 0; k < 2; k++) {
		CHECK_STR(st.comp[k].state, "COMPLETED");
		CHECK(st.comp[k].finished);
		CHECK(st.comp[k].exit_code == 0);
		CHECK(st.comp[k].job_id == id + (uint32_t)k);
		CHECK(st.comp[k].offset == (uint32_t)k);
		CHECK(st.comp[k].submit_time > 0);
		CHECK(st.comp[k].start_time >= st.comp[k].submit_time);
		CHECK(st.comp[k].end_time >= st.comp[k].start_time);
	}
	CHECK_STR(st.comp[0].nodes, "gpu1");
	CHECK_STR(st.comp[0].partition, "gpu");
	CHECK_STR(st.comp[1].nodes, "cpu[1-2]");
	CHECK_STR(st.comp[1].partition, "cpu");

	/* What the steps saw: the batch script on gpu1 with our environment, the GPU step with its
	 * emulated GPU, two CPU tasks on two nodes without CUDA_VISIBLE_DEVICES. */
	CHECK_STR(slurp("batch"), "batch on gpu1 het_size=2 env=hello from the orchestrator");
	CHECK_STR(slurp("out0"), "0");
	CHECK(*slurp("out0.host") != '\0');
	snprintf(a, sizeof a, "%s", slurp("out1.0"));
	snprintf(b, sizeof b, "%s", slurp("out1.1"));
	CHECK(strncmp(a, "cpu", 3) == 0 && strstr(a, " unset 2"));
	CHECK(strncmp(b, "cpu", 3) == 0 && strstr(b, " unset 2"));
	CHECK(strncmp(a, b, 4) != 0); /* one task per node */

	/* The latency from submission to the batch script's first line. */
	t_start = atof(slurp("started"));
	CHECK(t_start > t0);
	printf("# submit->start latency: %.2f s (batch script's first line), %.2f s (sc_query saw it "
	       "leave PENDING, 50 ms polls), %ld s (slurmctld start_time - submit_time)\n",
	       t_start - t0, t_run - t0, (long)(st.comp[0].start_time - st.comp[0].submit_time));
}

/* 2. a job whose batch script fails: FAILED with its exit code, not ok. */
static void test_fail(void)
{
	struct sc_job_state st;
	struct sc_job_spec s = spec_for("perfrl:sc-test:iter-0002", "#!/bin/bash\nexit 3\n");
	uint32_t id = 0;
	int rc;

	rc = sc_submit_het(&s, &id, err, sizeof err);
	CHECK(rc == SC_OK);
	if (rc != SC_OK)
		return;
	CHECK(wait_job(id, &st, 0, NULL) == 0);
	show(&st);
	CHECK(st.finished && !st.ok);
	CHECK_STR(st.comp[0].state, "FAILED");
	CHECK(st.comp[0].exit_code == 3);
	CHECK(strcmp(st.state, "COMPLETED") != 0);
}

/* 3. a long job, cancelled whole: CANCELLED, both components. */
static void test_cancel(void)
{
	struct sc_job_state st;
	struct sc_job_spec s = spec_for("perfrl:sc-test:iter-0003",
					"#!/bin/bash\nsrun --het-group=1 -n 2 sleep 300\n");
	uint32_t id = 0;
	int rc;

	rc = sc_submit_het(&s, &id, err, sizeof err);
	CHECK(rc == SC_OK);
	if (rc != SC_OK)
		return;
	CHECK(wait_job(id, &st, 1, NULL) == 0);
	rc = sc_cancel(id, err, sizeof err);
	if (rc != SC_OK)
		fprintf(stderr, "sc_cancel: %s\n", err);
	CHECK(rc == SC_OK);
	CHECK(wait_job(id, &st, 0, NULL) == 0);
	show(&st);
	CHECK_STR(st.state, "CANCELLED");
	CHECK_STR(st.comp[0].state, "CANCELLED");
	CHECK_STR(st.comp[1].state, "CANCELLED");
	CHECK(!st.ok);
	/* Cancelling it again is harmless. */
	CHECK(sc_cancel(id, err, sizeof err) == SC_OK);
}

/* 4. fault injection: the CPU component is killed under a running job; the batch script sees its
 * srun fail and says so. */
static void test_cancel_component(void)
{
	struct sc_job_state st;
	struct sc_job_spec s = spec_for(
		"perfrl:sc-test:iter-0004",
		"#!/bin/bash\n"
		"srun --het-group=1 -n 2 bash -c 'touch cc.$SLURM_PROCID; exec sleep 300'\n"
		"echo $? > cc.srun\n"
		"exit 4\n");
	uint32_t id = 0;
	int rc, i;

	rc = sc_submit_het(&s, &id, err, sizeof err);
	CHECK(rc == SC_OK);
	if (rc != SC_OK)
		return;
	CHECK(wait_job(id, &st, 1, NULL) == 0);
	/* wait for the step's tasks, so that the kill hits a running step */
	for (i = 0; i < 200 && !(exists("cc.0") && exists("cc.1")); i++)
		nap(0.05);
	rc = sc_cancel_component(id, 1, SIGKILL, err, sizeof err);
	if (rc != SC_OK)
		fprintf(stderr, "sc_cancel_component: %s\n", err);
	CHECK(rc == SC_OK);
	CHECK(wait_job(id, &st, 0, NULL) == 0);
	show(&st);
	CHECK_STR(st.comp[1].state, "CANCELLED");
	CHECK(!st.ok);
	CHECK(*slurp("cc.srun") != '\0' && strcmp(slurp("cc.srun"), "0") != 0);
	CHECK(st.comp[0].exit_code == 4);
	printf("# after the CPU component was killed: component 0 %s exit %d, its srun said %s\n",
	       st.comp[0].state, st.comp[0].exit_code, slurp("cc.srun"));
	sc_cancel(id, err, sizeof err);
}

/* 4b. a plain job (sc_submit_one): the CPU component alone, as a follow-up job would be; the
 * environment's SLURM_* variables (an enclosing job's) do not reach it, SLURM_CONF does. */
static void test_submit_one(void)
{
	static char *env[] = {"SLURM_PERFRL_STALE=1", "PERFRL_SC_TEST=one", NULL};
	struct sc_job_state st;
	struct sc_job_spec s = spec_for(
		"perfrl:sc-test:iter-0001:retry-1",
		"#!/bin/bash\n"
		"echo \"${SLURM_PERFRL_STALE:-unset} $PERFRL_SC_TEST ${SLURM_HET_SIZE:-none}\" > one.env\n"
		"srun -n 2 bash -c 'echo $SLURMD_NODENAME > one.$SLURM_PROCID'\n");
	uint32_t id = 0;
	int rc;

	s.env = env;
	rc = sc_submit_one(&s, 1, &id, err, sizeof err);
	CHECK(rc == SC_OK);
	if (rc != SC_OK)
		return;
	CHECK(wait_job(id, &st, 0, NULL) == 0);
	show(&st);
	CHECK(st.ok);
	CHECK(st.ncomp == 1);
	CHECK(st.comp[0].job_id == id);
	CHECK_STR(st.comp[0].nodes, "cpu[1-2]");
	CHECK_STR(slurp("one.env"), "unset one none");
	CHECK(strncmp(slurp("one.0"), "cpu", 3) == 0 && strncmp(slurp("one.1"), "cpu", 3) == 0);
	CHECK(sc_submit_one(&s, 2, &id, err, sizeof err) == SC_ERR);
}

/* 5. ids slurmctld does not know, and bad specs. */
static void test_gone_and_bad(void)
{
	struct sc_job_state st;
	struct sc_job_spec s = spec_for("perfrl:sc-test:bad", "echo no shebang\n");
	uint32_t id = 1, found[2];

	CHECK(sc_query(4000000000u, &st, err, sizeof err) == SC_GONE);
	CHECK(st.ncomp == 0);
	CHECK(sc_cancel(4000000000u, err, sizeof err) == SC_GONE);
	CHECK(sc_find_by_name("perfrl:sc-test:no-such-job", found, 2, err, sizeof err) == 0);

	CHECK(sc_submit_het(&s, &id, err, sizeof err) == SC_ERR);
	CHECK(id == 0);
	s = spec_for("perfrl:sc-test:bad", complete_script);
	s.comp[0].partition = "no-such-partition";
	CHECK(sc_submit_het(&s, &id, err, sizeof err) == SC_ERR);
	printf("# a bad partition: %s\n", err);
	CHECK(strstr(err, "partition") != NULL);
}

/* 6. slurmctld unreachable: a copy of the config whose SlurmctldPort nobody listens on, used by a
 * fresh process (libslurm reads its config once per process, and a fork inherits it). */
static int unreachable_child(void)
{
	struct sc_job_state js;
	int a, b, c;
	double t0 = now();

	a = sc_query(12345, &js, err, sizeof err);
	printf("# unreachable slurmctld: sc_query -> %s after %.1f s (%s)\n", sc_rc_name(a),
	       now() - t0, err);
	t0 = now();
	b = sc_ping(err, sizeof err);
	printf("# unreachable slurmctld: sc_ping -> %s after %.1f s\n", sc_rc_name(b), now() - t0);
	t0 = now();
	c = sc_cancel(12345, err, sizeof err);
	printf("# unreachable slurmctld: sc_cancel -> %s after %.1f s\n", sc_rc_name(c), now() - t0);
	return a == SC_UNREACHABLE && b == SC_UNREACHABLE && c == SC_UNREACHABLE ? 0 : 1;
}

static void test_unreachable(void)
{
	const char *conf = getenv("SLURM_CONF");
	char dead[400], line[1024];
	FILE *in, *out;
	pid_t pid;
	int st = -1;

	snprintf(dead, sizeof dead, "%s/dead.conf", work);
	in = fopen(conf, "r");
	out = fopen(dead, "w");
	CHECK(in && out);
	if (!in || !out)
		return;
	while (fgets(line, sizeof line, in)) {
		if (strncasecmp(line, "SlurmctldPort=", 14) == 0)
			fputs("SlurmctldPort=9\n", out); /* discard: nobody listens here */
		else
			fputs(line, out);
	}
	fclose(in);
	fclose(out);

	pid = fork();
	if (pid == 0) {
		setenv("SLURM_CONF", dead, 1);
		execl("/proc/self/exe", "test_slurm_client", "--unreachable", (char *)NULL);
		_exit(127);
	}
	CHECK(pid > 0 && waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* 7. templates/iteration.sbatch.in end to end: a fake GPU step (a shell script) writes two
 * completions and waits for the shards; the CPU step is the real `perfrl bench`. The template
 * runs `@PERFRL@ gpu-step` and `@PERFRL@ bench`, so @PERFRL@ is a shim that sends gpu-step to
 * the fake and everything else to the real perfrl. Needs $PERFRL and $PERFRL_HARNESS (make check
 * sets them); skipped without. */

/* Whether text still has an @NAME@ (upper case, digits, _): a placeholder this test does not
 * know, so the template changed under it. */
static int leftover_placeholder(const char *text)
{
	const char *p = text, *q;

	while ((p = strchr(p, '@'))) {
		for (q = p + 1; (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') || *q == '_'; q++)
			;
		if (q > p + 1 && *q == '@') {
			printf("# the template has a placeholder this test does not fill: %.*s\n",
			       (int)(q - p + 1), p);
			return 1;
		}
		p = q;
	}
	return 0;
}

/* Into out (capacity cap) the template with each @NAME@ replaced; 0 on success, -1 when out is
 * too small or a placeholder is left. */
static int render(const char *tpl, char *out, size_t cap, const char *const *kv)
{
	size_t o = 0;
	const char *p = tpl;

	while (*p) {
		const char *val = NULL;
		size_t klen = 0, i;

		if (*p == '@')
			for (i = 0; kv[i]; i += 2) {
				klen = strlen(kv[i]);
				if (strncmp(p, kv[i], klen) == 0) {
					val = kv[i + 1];
					break;
				}
			}
		if (val) {
			if (o + strlen(val) >= cap)
				return -1;
			memcpy(out + o, val, strlen(val));
			o += strlen(val);
			p += klen;
		} else {
			if (o + 1 >= cap)
				return -1;
			out[o++] = *p++;
		}
	}
	out[o] = '\0';
	return leftover_placeholder(out) ? -1 : 0;
}

static const char fake_gpu_step[] =
	"#!/bin/bash\n"
	"# a stand-in for `perfrl gpu-step --iter-dir DIR`: two completions, written atomically; then\n"
	"# wait for the results of the two CPU tasks\n"
	"set -eu\n"
	"[ \"$1\" = --iter-dir ] && it=$2\n"
	"echo \"${CUDA_VISIBLE_DEVICES:-unset} $SLURMD_NODENAME\" > \"$it/gpu.seen\"\n"
	"sleep 1\n"
	"{\n"
	"printf '%s\\n' '{\"sample_id\":\"s0\",\"problem_id\":\"p\",\"completion\":\"```c\\nvoid dgemm(int m,int n,int k,const double*A,const double*B,double*C){for(int i=0;i<m;i++)for(int j=0;j<n;j++){double s=0;for(int p=0;p<k;p++)s+=A[i*k+p]*B[p*n+j];C[i*n+j]=s;}}\\n```\"}'\n"
	"printf '%s\\n' '{\"sample_id\":\"s1\",\"problem_id\":\"p\",\"completion\":\"```c\\nvoid dgemm(int m,int n,int k,const double*A,const double*B,double*C){for(int i=0;i<m*n;i++)C[i]=0;}\\n```\"}'\n"
	"} > \"$it/completions.jsonl.tmp\"\n"
	"mv \"$it/completions.jsonl.tmp\" \"$it/completions.jsonl\"\n"
	"for k in 0 1; do\n"
	"  until [ -e \"$it/results/shard-$k.jsonl\" ]; do sleep 0.2; done\n"
	"done\n"
	"cat \"$it\"/results/shard-*.jsonl | wc -l > \"$it/gpu.nresults\"\n";

/* What the orchestrator writes into an iteration directory before the job: the prompts (one
 * problem, "p", which the fake's completions answer) and the technique catalogue. */
static void write_iter_inputs(const char *iter_dir)
{
	char path[700];
	FILE *f;

	snprintf(path, sizeof path, "%s/prompts.jsonl", iter_dir);
	if ((f = fopen(path, "w"))) {
		fputs("{\"problem_id\":\"p\",\"prompt\":\"x\",\"shape\":\"96x80x64\","
		      "\"permitted\":[\"loop_reorder\"],\"required\":[],\"stage\":1}\n", f);
		fclose(f);
	}
	snprintf(path, sizeof path, "%s/techniques.json", iter_dir);
	if ((f = fopen(path, "w"))) {
		fputs("[{\"name\":\"loop_reorder\",\"description\":\"reorder the loops\"}]\n", f);
		fclose(f);
	}
}

/* @PERFRL@ in the rendered template: `gpu-step --fail` exits 3 at once, `gpu-step` runs the fake
 * above, anything else runs the real perfrl (%s: the fake's path, then perfrl's, quoted). */
static const char perfrl_shim[] =
	"#!/bin/bash\n"
	"if [ \"$1\" = gpu-step ]; then\n"
	"  [ \"${2:-}\" = --fail ] && exit 3\n"
	"  shift; exec %s \"$@\"\n"
	"fi\n"
	"exec %s \"$@\"\n";

/* The iteration template ($PERFRL_ITERATION_TEMPLATE, else templates/iteration.sbatch.in) into
 * buf; 0 on success. */
static int load_template(char *buf, size_t cap)
{
	const char *top = getenv("top_srcdir"), *env = getenv("PERFRL_ITERATION_TEMPLATE");
	char path[600];
	size_t n;
	FILE *f;

	if (env && *env)
		snprintf(path, sizeof path, "%s", env);
	else
		snprintf(path, sizeof path, "%s/templates/iteration.sbatch.in", top && *top ? top : ".");
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fread(buf, 1, cap - 1, f);
	fclose(f);
	buf[n] = '\0';
	return n > 0 && n < cap - 1 ? 0 : -1;
}

static void test_template(void)
{
	const char *perfrl = getenv("PERFRL"), *harness = getenv("PERFRL_HARNESS");
	char path[600], tpl[16384], script[16384], q_run[300], q_iter[320], q_perfrl[600], q_rounds[330];
	char q_gpu[400], env_h[700], env_c[400], line[4096];
	char *env[4];
	struct sc_job_state st;
	struct sc_job_spec s;
	uint32_t id = 0;
	double t0;
	FILE *f;
	int rc;

	if (!perfrl || access(perfrl, X_OK) != 0 || !harness || access(harness, X_OK) != 0) {
		printf("# template test skipped: set PERFRL and PERFRL_HARNESS (make check does)\n");
		return;
	}
	rc = load_template(tpl, sizeof tpl);
	CHECK(rc == 0);
	if (rc != 0)
		return;
	/* the iteration directory and the fake GPU step */
	snprintf(path, sizeof path, "%s/iter-0001", work);
	mkdir(path, 0755);
	write_iter_inputs(path);
	snprintf(path, sizeof path, "%s/gpu_step.sh", work);
	f = fopen(path, "w");
	if (f) {
		fputs(fake_gpu_step, f);
		fclose(f);
	}
	chmod(path, 0755);
	snprintf(q_gpu, sizeof q_gpu, "'%s/gpu_step.sh'", work);
	snprintf(q_perfrl, sizeof q_perfrl, "'%s'", perfrl);
	snprintf(path, sizeof path, "%s/perfrl-shim", work);
	f = fopen(path, "w");
	if (f) {
		fprintf(f, perfrl_shim, q_gpu, q_perfrl);
		fclose(f);
	}
	chmod(path, 0755);

	snprintf(q_run, sizeof q_run, "%s", work);
	snprintf(q_iter, sizeof q_iter, "%s/iter-0001", work);
	snprintf(q_perfrl, sizeof q_perfrl, "%s/perfrl-shim", work);
	snprintf(q_rounds, sizeof q_rounds, "\"%s\"", q_iter); /* one round: the iteration's directory */
	{
		const char *kv[] = {"@RUN_DIR@", q_run, "@ITER_DIR@", q_iter, "@PERFRL@", q_perfrl,
				    "@ITER@", "1", "@GPU_ARGS@", "", "@CPU_TASKS@", "2",
				    "@BENCH_ARGS@", "--shape 96x80x64 --budget 0.3", "@WAIT_S@", "60",
				    "@RETRY@", "0", "@ALIVE@", "job", "@ROUND_DIRS@", q_rounds, NULL};

		rc = render(tpl, script, sizeof script, kv);
	}
	CHECK(rc == 0);
	if (rc != 0)
		return;

	snprintf(env_h, sizeof env_h, "PERFRL_HARNESS=%s", harness);
	snprintf(env_c, sizeof env_c, "PERFRL_CACHE_DIR=%s/cache", work);
	env[0] = env_h;
	env[1] = env_c;
	env[2] = "HOME=/tmp";
	env[3] = NULL;
	s = spec_for("perfrl:sc-test:iter-0005", script);
	s.env = env;
	t0 = now();
	rc = sc_submit_het(&s, &id, err, sizeof err);
	CHECK(rc == SC_OK);
	if (rc != SC_OK)
		return;
	CHECK(wait_job(id, &st, 0, NULL) == 0);
	show(&st);
	printf("# iteration template: job %u %s in %.1f s\n", id, st.state, now() - t0);
	CHECK(st.ok);
	CHECK_STR(slurp("iter-0001/gpu.seen"), "0 gpu1");
	CHECK_STR(slurp("iter-0001/gpu.nresults"), "2");
	snprintf(path, sizeof path, "%s/iter-0001/results/shard-0.jsonl", work);
	f = fopen(path, "r");
	CHECK(f && fgets(line, sizeof line, f) && strstr(line, "\"sample_id\":\"s0\"") &&
	      strstr(line, "\"status\":\"ok\""));
	if (f)
		fclose(f);
	snprintf(path, sizeof path, "%s/iter-0001/results/shard-1.jsonl", work);
	f = fopen(path, "r");
	CHECK(f && fgets(line, sizeof line, f) && strstr(line, "\"sample_id\":\"s1\"") &&
	      strstr(line, "\"status\":\"wrong_answer\""));
	if (f)
		fclose(f);

	/* A GPU step that fails at once (exit 3): the CPU tasks, waiting for completions, are
	 * stopped (not left to wait WAIT_S = 60 s) and the script exits with the step's status. */
	snprintf(path, sizeof path, "%s/iter-0002", work);
	mkdir(path, 0755);
	write_iter_inputs(path);
	snprintf(q_iter, sizeof q_iter, "%s/iter-0002", work);
	snprintf(q_rounds, sizeof q_rounds, "\"%s\"", q_iter);
	{
		const char *kv[] = {"@RUN_DIR@", q_run, "@ITER_DIR@", q_iter, "@PERFRL@", q_perfrl,
				    "@ITER@", "2", "@GPU_ARGS@", "--fail", "@CPU_TASKS@", "2",
				    "@BENCH_ARGS@", "", "@WAIT_S@", "60", "@RETRY@", "0",
				    "@ALIVE@", "job", "@ROUND_DIRS@", q_rounds, NULL};

		rc = render(tpl, script, sizeof script, kv);
	}
	CHECK(rc == 0);
	s = spec_for("perfrl:sc-test:iter-0006", script);
	s.env = env;
	t0 = now();
	rc = sc_submit_het(&s, &id, err, sizeof err);
	CHECK(rc == SC_OK);
	if (rc != SC_OK)
		return;
	CHECK(wait_job(id, &st, 0, NULL) == 0);
	show(&st);
	printf("# iteration template, failing GPU step: job %u %s exit %d in %.1f s\n", id,
	       st.state, st.comp[0].exit_code, now() - t0);
	CHECK(!st.ok);
	CHECK(st.comp[0].exit_code == 3);
	CHECK(now() - t0 < 30);
}

int main(int argc, char **argv)
{
	int started, rc;
	char cmd[1400];

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 2 && strcmp(argv[1], "--unreachable") == 0)
		return unreachable_child();
	snprintf(work, sizeof work, "%s/perfrl-sc.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(work)) {
		perror("mkdtemp");
		return 1;
	}
	chmod(work, 0755);

	rc = cluster_up(&started);
	if (rc != 0) {
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", work);
		sh(cmd);
		return rc;
	}

	CHECK(sc_ping(err, sizeof err) == SC_OK);
	test_complete();
	test_fail();
	test_cancel();
	test_cancel_component();
	test_submit_one();
	test_gone_and_bad();
	test_unreachable();
	test_template();

	if (started && !getenv("PERFRL_TEST_KEEP_CLUSTER")) {
		snprintf(cmd, sizeof cmd, "'%s' down >/dev/null 2>&1", lc);
		if (sh(cmd) != 0)
			fprintf(stderr, "warning: %s down failed\n", lc);
	}
	if (check_failures) {
		snprintf(cmd, sizeof cmd, "for f in '%s'/job-*.out; do echo \"## $f\"; cat \"$f\"; done >&2", work);
		sh(cmd);
	}
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", work);
	sh(cmd);
	return CHECK_DONE();
}
