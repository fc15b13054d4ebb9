/* orchestrate.c - `perfrl run` and `perfrl cancel`: one heterogeneous Slurm job per RL
 * iteration, watched through libslurm, resumable from RUN/state at any point. */
#include "config.h"
#include "checkpoints.h"
#include "commands.h"
#include "conf.h"
#include "iterlog.h"
#include "jobspec.h"
#include "jsonl.h"
#include "run.h"
#include "slurm_client.h"
#include "sqd.h"
#include "template.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/*
 * Why it cannot lose or double an iteration: everything an iteration exchanges is a file in
 * RUN/iter-NNNN written atomically, every step is idempotent (the GPU step keeps an existing
 * completions file, a bench shard resumes from its journal), and the orchestrator writes its
 * own progress to RUN/state/iterations.jsonl before and after each job. Killed at any moment,
 * it finds the iteration's job by id (or by name), reattaches or collects what exists, and
 * measures only what is still missing, in a follow-up CPU job. A sample's first record wins.
 */

enum { RUN_DONE = 0, RUN_ERROR = 1, RUN_STOPPED = 3 };

struct orch {
	struct perfrl_config cfg;
	char run_dir[PATH_MAX];   /* absolute: the jobs run elsewhere */
	char state_dir[PATH_MAX];
	char perfrl[PATH_MAX];    /* this binary, for the jobs' steps */
	char run_name[128];
	int lock_fd;
	struct sqd *sqd;          /* stages.lua, the archive, the stage */
	char *trl_head; /* trl: gpu-step's --trl --python --model, with absolute paths */
};

static void on_stop(int sig)
{
	run_stop_signal = sig;
}

static const char run_usage[] =
	"usage: perfrl run -c CONF\n"
	"\n"
	"Runs the RL loop of CONF: one heterogeneous Slurm job per iteration (GPU step on het\n"
	"group 0, perfrl bench on het group 1), watched through libslurm, recorded in\n"
	"RUN/state/iterations.jsonl (see perfrl acct). Run it again after any interruption: it\n"
	"resumes where it stopped. SIGTERM or SIGINT: it records where it is and exits (0);\n"
	"the iteration's job goes on and is picked up on resume.\n";

static const char cancel_usage[] =
	"usage: perfrl cancel -c CONF\n"
	"\n"
	"Stops a run cleanly: cancels the live iteration job, keeps everything measured, records\n"
	"the iteration as CANCELLED. A running orchestrator does this itself within one poll\n"
	"interval; without one, perfrl cancel does it.\n";

/* ---- state ------------------------------------------------------------------------------ */

static int paths(struct orch *o, const char *conf)
{
	char err[512], cwd[PATH_MAX];
	ssize_t n;
	const char *base;

	if (config_load(conf, &o->cfg, err, sizeof err) != 0)
		return util_error("%s", err);
	if (!getcwd(cwd, sizeof cwd))
		return util_error("getcwd: %s", strerror(errno));
	if (util_pathf(o->run_dir, sizeof o->run_dir, "%s%s%s", o->cfg.run_dir[0] == '/' ? "" : cwd,
		       o->cfg.run_dir[0] == '/' ? "" : "/", o->cfg.run_dir) != 0 ||
	    util_pathf(o->state_dir, sizeof o->state_dir, "%s/state", o->run_dir) != 0)
		return util_error("run_dir too long");
	n = readlink("/proc/self/exe", o->perfrl, sizeof o->perfrl - 1);
	if (n <= 0)
		return util_error("cannot find this perfrl binary: %s", strerror(errno));
	o->perfrl[n] = '\0';
	if (o->cfg.gpu_step.overlap && o->cfg.gpu_step.command != CONFIG_GPU_BUILTIN)
		return util_error("%s: gpu_step.overlap is implemented for the builtin GPU step only "
				  "(the trl driver runs its rounds on-policy); set it to false", conf);
	/* Relative paths are the orchestrator's, as perfrl.conf(5) says. */
	if (o->cfg.gpu_step.command == CONFIG_GPU_TRL && !(o->trl_head = jobspec_trl_head(&o->cfg)))
		return -1;
	base = strrchr(o->run_dir, '/');
	snprintf(o->run_name, sizeof o->run_name, "%.100s", base ? base + 1 : o->run_dir);
	return 0;
}

/* One orchestrator per run directory: a lock held as long as it lives (and released by the
 * kernel when it dies, so a crash never leaves a stale lock behind). */
static int take_run_lock_q(struct orch *o, int quiet, char *holder_out, size_t holder_len);

static int take_run_lock(struct orch *o)
{
	return take_run_lock_q(o, 0, NULL, 0);
}

static int take_run_lock_q(struct orch *o, int quiet, char *holder_out, size_t holder_len)
{
	char path[PATH_MAX + 16], pid[32], holder[64] = "";
	if (util_mkdirs(o->state_dir, 0755) != 0)
		return util_error("cannot create %s: %s", o->state_dir, strerror(errno));
	snprintf(path, sizeof path, "%s/lock", o->state_dir);
	o->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (o->lock_fd < 0)
		return util_error("cannot open %s: %s", path, strerror(errno));
	if (flock(o->lock_fd, LOCK_EX | LOCK_NB) != 0) {
		ssize_t r = pread(o->lock_fd, holder, sizeof holder - 1, 0);
		holder[r > 0 ? r : 0] = '\0';
		holder[strcspn(holder, "\n")] = '\0';
		close(o->lock_fd);
		o->lock_fd = -1;
		if (holder_out)
			snprintf(holder_out, holder_len, "%s", holder[0] ? holder : "pid unknown");
		if (quiet)
			return -1;
		return util_error("another perfrl run (%s) is using %s; refusing to start a second "
				  "one (stop it with perfrl cancel)",
				  holder[0] ? holder : "pid unknown", o->run_dir);
	}
	snprintf(pid, sizeof pid, "pid %ld on %s\n", (long)getpid(), util_hostname());
	if (ftruncate(o->lock_fd, 0) != 0 || pwrite(o->lock_fd, pid, strlen(pid), 0) < 0)
		return util_error("cannot write %s: %s", path, strerror(errno));
	return 0;
}

static int append(struct orch *o, const struct iter_record *r)
{
	char err[512];
	json_t *j = iterlog_record_json(r);
	int rc = iterlog_append(o->run_dir, j, err, sizeof err);
	json_decref(j);
	return rc == 0 ? 0 : util_error("%s", err);
}

static int cancel_requested(const struct orch *o)
{
	char path[PATH_MAX + 32];
	snprintf(path, sizeof path, "%s/cancel-requested", o->state_dir);
	return access(path, F_OK) == 0;
}

/* ---- the iteration's files -------------------------------------------------------------- */

static void job_name(const struct orch *o, long iter, int retry, char *buf, size_t len)
{
	if (retry)
		snprintf(buf, len, "%s:%s:iter-%04ld:retry-%d", o->cfg.slurm.job_name_prefix, o->run_name,
			 iter, retry);
	else
		snprintf(buf, len, "%s:%s:iter-%04ld", o->cfg.slurm.job_name_prefix, o->run_name, iter);
}

/*
 * Submit the iteration's het job (retry 0) or a CPU-only follow-up (retry >= 1). A job of
 * that name that slurmctld still knows and that has not finished is reattached instead: a
 * submission whose reply was lost, or an orchestrator killed right after submitting.
 */
static int submit(struct orch *o, long iter, const char *dir, int rounds, int retry, int het,
		  uint32_t *job)
{
	char name[256], comment[PATH_MAX + 64], out[PATH_MAX + 64], who[64], iter_s[32],
		retry_s[16], wait_s[32], gpu_args[PATH_MAX * 2 + 1400], tasks_s[16], *round_dirs,
		alive[32];
	char *args = jobspec_bench_args(&o->cfg), *script, *env[JOBSPEC_ENV_MAX];
	static char cache[PATH_MAX + 32];
	struct sc_job_spec spec;
	int rc;

	job_name(o, iter, retry, name, sizeof name);
	snprintf(iter_s, sizeof iter_s, "%ld", iter);
	snprintf(retry_s, sizeof retry_s, "%d", retry);
	/* The tasks' heartbeats, one name per job (see wait_tasks_gone). */
	if (retry)
		snprintf(alive, sizeof alive, "retry-%d", retry);
	else
		snprintf(alive, sizeof alive, "job");
	snprintf(tasks_s, sizeof tasks_s, "%d", o->cfg.slurm.cpu.tasks);
	/* The CPU step waits for the GPU step's output at most as long as the GPU step may run. */
	snprintf(wait_s, sizeof wait_s, "%d", o->cfg.slurm.gpu.time_limit_min > 0 ? o->cfg.slurm.gpu.time_limit_min * 60 : 86400);
	if (o->cfg.gpu_step.command == CONFIG_GPU_FIXED)
		snprintf(gpu_args, sizeof gpu_args, "--fixed --group-size %d --rounds %d",
			 o->cfg.gpu_step.group_size, rounds);
	else { /* builtin, or trl: the same flags for the Python driver */
		char lr[64] = "", *head;
		if (o->cfg.gpu_step.learning_rate > 0)
			snprintf(lr, sizeof lr, " --lr %.6g", o->cfg.gpu_step.learning_rate);
		head = o->cfg.gpu_step.command == CONFIG_GPU_TRL
			       ? util_xstrdup(o->trl_head)
			       : util_xasprintf("--builtin --prior-bias %g%s", o->cfg.gpu_step.prior_bias,
						o->cfg.gpu_step.overlap ? " --overlap" : "");
		snprintf(gpu_args, sizeof gpu_args,
			 "%s --group-size %d --rounds %d --clip %g --kl-beta %g --seed %d --wait %s%s%s%s",
			 head, o->cfg.gpu_step.group_size, rounds, o->cfg.gpu_step.clip,
			 o->cfg.gpu_step.kl_beta, o->cfg.seed, wait_s, lr,
			 o->cfg.gpu_step.command == CONFIG_GPU_TRL && *o->cfg.gpu_step.args ? " " : "",
			 o->cfg.gpu_step.command == CONFIG_GPU_TRL ? o->cfg.gpu_step.args : "");
		free(head);
	}
	/* The rounds' directories, in order, each quoted for the script (run_dir has no quote:
	 * perfrl.conf(5) refuses one). The CPU tasks measure them one after the other. */
	{
		char *p = util_xstrdup("");
		for (int k = 1; k <= rounds; k++) {
			char rd[PATH_MAX], *q;
			if (iterlog_round_dir(rd, sizeof rd, dir, k, rounds) != 0) {
				free(p);
				free(args);
				return util_error("run_dir too long");
			}
			q = util_xasprintf("%s%s\"%s\"", p, k > 1 ? " " : "", rd);
			free(p);
			p = q;
		}
		round_dirs = p;
	}
	{
		const char *kv[] = {"ITER", iter_s, "RUN_DIR", o->run_dir, "ITER_DIR", dir, "PERFRL",
				    o->perfrl, "GPU_ARGS", gpu_args, "BENCH_ARGS", args, "WAIT_S", wait_s,
				    "RETRY", retry_s, "CPU_TASKS", tasks_s, "ROUND_DIRS", round_dirs,
				    "ALIVE", alive, NULL};
		script = template_render(retry && !het ? "templates/retry.sbatch.in"
						       : "templates/iteration.sbatch.in", kv);
	}
	free(round_dirs);
	free(args);
	if (!script)
		return -1;
	snprintf(comment, sizeof comment, "perfrl run=%s iter=%ld%s", o->run_dir, iter,
		 retry ? (het ? " follow-up rounds" : " follow-up") : "");
	snprintf(out, sizeof out, "%s/slurm-%s%%j.out", dir, retry ? "retry-" : "");
	memset(&spec, 0, sizeof spec);
	/* The build cache lives in the run directory, shared by every node and iteration. */
	{
		char cache_dir[PATH_MAX + 8];
		snprintf(cache_dir, sizeof cache_dir, "%s/cache", o->run_dir);
		jobspec_env(env, cache, cache_dir);
		spec.env = env;
	}
	spec.name = name;
	spec.comment = comment;
	spec.workdir = dir;
	spec.std_out = out;
	spec.script = script;
	jobspec_component(&o->cfg, 1, &spec.comp[0]);
	jobspec_component(&o->cfg, 0, &spec.comp[1]);
	snprintf(who, sizeof who, "iteration %ld", iter);
	rc = run_submit(&spec, !retry || het, who, job);
	free(script);
	if (rc != 0)
		return -1;
	util_info("iteration %ld: submitted %s job %u (%s)", iter,
		  retry ? (het ? "follow-up het" : "follow-up") : "het", *job, name);
	return 0;
}


/* ---- watching --------------------------------------------------------------------------- */

static enum iter_state state_of(const struct sc_job_state *st)
{
	int s = iterlog_state_parse(st->state);
	if (!strcmp(st->state, "COMPLETING"))
		return ITER_RUNNING;
	if (!strcmp(st->state, "OUT_OF_MEMORY") || !strcmp(st->state, "BOOT_FAIL") ||
	    !strcmp(st->state, "DEADLINE"))
		return ITER_FAILED;
	return s < 0 ? ITER_RUNNING : (enum iter_state)s;
}

/* ---- collecting ----------------------------------------------------------------------------- */

/* Round k's completions and every result of it on disk (finished shards, journals of killed
 * ones, follow-ups): results gets one record per measured sample, missing the completions
 * without one; with several rounds each gets "round": k (sample ids repeat from round to
 * round). The number of completions, or -1 when the GPU step never wrote the round's. */
static long collect_round(const char *dir, int k, int rounds, json_t *results, json_t *missing)
{
	char rd[PATH_MAX], path[PATH_MAX + 64];
	json_t *compl, *res, *c;
	const char *key;
	long n;

	if (iterlog_round_dir(rd, sizeof rd, dir, k, rounds) != 0)
		return -1;
	snprintf(path, sizeof path, "%s/completions.jsonl", rd);
	compl = json_object();
	if ((n = jsonl_read_by_id(path, compl)) < 0) {
		json_decref(compl);
		return -1;
	}
	res = jsonl_results(rd);
	json_object_foreach(compl, key, c) {
		json_t *r = json_object_get(res, key), *e = r ? r : c;
		if (rounds > 1)
			json_object_set_new(e, "round", json_integer(k));
		json_array_append(r ? results : missing, e);
	}
	json_decref(compl);
	json_decref(res);
	return n;
}

/* Every round's completions and results (collect_round); *ncompl the completions of all
 * rounds, *generated the rounds that have them. -1 when no round has completions. */
static int collect(const char *dir, int rounds, json_t **results, json_t **missing, long *ncompl,
		   int *generated)
{
	int gen = 0;
	*results = json_array();
	*missing = json_array();
	*ncompl = 0;
	for (int k = 1; k <= rounds; k++) {
		long n = collect_round(dir, k, rounds, *results, *missing);
		if (n >= 0) {
			*ncompl += n;
			gen++;
		}
	}
	if (generated)
		*generated = gen;
	return gen ? 0 : -1;
}

/* Samples with a record on disk and completions, for what a waiting iteration says; -1 when
 * the GPU step has written no completions yet. */
static long measured_so_far(const char *dir, int rounds, long *ncompl)
{
	json_t *results = NULL, *missing = NULL;
	long n = -1;
	if (collect(dir, rounds, &results, &missing, ncompl, NULL) == 0)
		n = (long)json_array_size(results);
	json_decref(results);
	json_decref(missing);
	return n;
}

/* Each round's own summary, from results (collect's records, marked with their round when
 * there are several; NULL: none), and whether its update was applied (a complete checkpoint). */
static void summarise_rounds(const char *dir, json_t *results, struct iter_record *r)
{
	r->rounds_done = 0;
	for (int k = 1; k <= r->rounds && k <= ITERLOG_ROUNDS_MAX; k++) {
		char rd[PATH_MAX];
		json_t *mine = json_array(), *e;
		struct iter_record t;
		struct iter_round *ro = &r->round[k - 1];
		size_t i;
		json_array_foreach(results, i, e)
			if (r->rounds == 1 || json_integer_value(json_object_get(e, "round")) == k)
				json_array_append(mine, e);
		iterlog_record_init(&t, r->iter);
		iterlog_summarise(mine, &t);
		*ro = (struct iter_round){t.samples, t.ok, t.rejected, t.compile_error, t.timeout,
					  t.runtime_error, t.wrong_answer, t.best_gflops,
					  t.median_gflops, t.mean_reward, 0};
		ro->updated = iterlog_round_dir(rd, sizeof rd, dir, k, r->rounds) == 0 &&
			      checkpoints_complete(rd);
		r->rounds_done += ro->updated;
		json_decref(mine);
	}
}

/* The iteration's rounds' directories, before the job: with several rounds each gets the
 * iteration's prompts and technique catalogue (the plan is the iteration's) and results/. */
static int prepare_rounds(const char *dir, int rounds)
{
	static const char *const files[] = {"prompts.jsonl", "techniques.json"};
	if (rounds <= 1)
		return 0;
	for (int k = 1; k <= rounds; k++) {
		char rd[PATH_MAX], path[PATH_MAX + 32], src[PATH_MAX + 32];
		if (iterlog_round_dir(rd, sizeof rd, dir, k, rounds) != 0)
			return util_error("run_dir too long");
		snprintf(path, sizeof path, "%s/results", rd);
		if (util_mkdirs(path, 0755) != 0)
			return util_error("cannot create %s: %s", path, strerror(errno));
		for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
			size_t len;
			char *text;
			snprintf(path, sizeof path, "%s/%s", rd, files[f]);
			snprintf(src, sizeof src, "%s/%s", dir, files[f]);
			if (access(path, F_OK) == 0 || access(src, F_OK) != 0)
				continue;
			if (!(text = util_read_file(src, 0, &len)) ||
			    util_write_atomic(path, text, len) != 0) {
				free(text);
				return util_error("cannot write %s: %s", path, strerror(errno));
			}
			free(text);
		}
	}
	return 0;
}

struct watch_ctx {
	struct orch *o;
	struct iter_record *r;
	const char *dir;
	/* the status lines' count, read incrementally: one per round's directory */
	struct jsonl_progress *progress[ITERLOG_ROUNDS_MAX];
};

static int watch_cancel(void *arg)
{
	return cancel_requested(((struct watch_ctx *)arg)->o);
}

static void watch_state(void *arg, const struct sc_job_state *st)
{
	struct watch_ctx *c = arg;
	if (st->comp[0].start_time && !c->r->start) {
		c->r->start = st->comp[0].start_time;
		c->r->state = ITER_RUNNING;
		append(c->o, c->r);
	}
}

static long watch_progress(void *arg, long *total)
{
	struct watch_ctx *c = arg;
	long done = 0, any = 0;
	*total = 0;
	for (int k = 1; k <= c->r->rounds && k <= ITERLOG_ROUNDS_MAX; k++) {
		char rd[PATH_MAX];
		long n, t = 0;
		if (iterlog_round_dir(rd, sizeof rd, c->dir, k, c->r->rounds) != 0)
			continue;
		if (!c->progress[k - 1])
			c->progress[k - 1] = jsonl_progress_new();
		if ((n = jsonl_progress_count(c->progress[k - 1], rd, &t)) < 0)
			continue; /* no completions for this round yet */
		any = 1;
		done += n;
		*total += t;
	}
	return any ? done : -1;
}

/* Until the job ends (0, *final set), the run is asked to stop (RUN_STOPPED), or a cancel
 * is requested (0, ITER_CANCELLED, job cancelled); see run_watch. */
static int watch(struct orch *o, uint32_t job, const char *dir, const char *end_event,
		 struct iter_record *r, enum iter_state *final)
{
	struct watch_ctx c = {o, r, dir, {NULL}};
	char who[64];
	struct run_watch_opts w = {who, o->cfg.slurm.poll_interval_s, o->cfg.slurm.status_interval_s,
				   o->cfg.slurm.done_grace_s, dir, end_event, &c, watch_cancel,
				   watch_state, watch_progress};
	struct sc_job_state st;
	double end;
	long total = 0, done;
	enum run_watch_end how;
	snprintf(who, sizeof who, "iteration %ld", r->iter);
	how = run_watch(&w, job, &st, &end);
	for (int k = 0; k < ITERLOG_ROUNDS_MAX; k++)
		jsonl_progress_free(c.progress[k]);
	switch (how) {
	case RUN_W_ENDED:
		/* A job can start and end between two polls: its own times count. */
		if (!r->start)
			r->start = st.comp[0].start_time;
		if (st.comp[0].end_time)
			r->end = st.comp[0].end_time;
		*final = state_of(&st);
		/* Only perfrl cancel stops a run. A job or component scancelled by anyone else
		 * (the GPU component's cancel ends the whole job CANCELLED) is a fault like a dead
		 * node: its unmeasured samples go to a follow-up and the run goes on. */
		if (*final == ITER_CANCELLED && !cancel_requested(o)) {
			util_info("iteration %ld: job %u was cancelled outside perfrl (scancel?): taken as a "
				  "failure, not as a stop (perfrl cancel stops a run)", r->iter, job);
			*final = ITER_FAILED;
		}
		return 0;
	case RUN_W_DONE:
		if (!r->start)
			r->start = st.comp[0].start_time;
		r->end = (time_t)end;
		done = measured_so_far(dir, r->rounds, &total);
		*final = done >= 0 && done == total ? ITER_COMPLETED : ITER_FAILED;
		return 0;
	case RUN_W_GONE:
		/* Ended long enough ago to be purged: what it left on disk decides. */
		*final = ITER_COMPLETED;
		return 0;
	case RUN_W_CANCELLED:
		*final = ITER_CANCELLED;
		return 0;
	case RUN_W_STOPPED:
		return RUN_STOPPED;
	case RUN_W_ERROR:
	default:
		return RUN_ERROR;
	}
}

/*
 * Until no CPU task of this iteration can still be measuring, so that a follow-up never
 * measures a sample beside the task that had it: every heartbeat in ITER/alive (touched every
 * 2 s by the task, see templates/iteration.sbatch.in) has its .end, or has not been touched
 * for slurm.task_stale_s by the file system's own clock (ITER/alive/.now, written here, is the
 * reference: no clock skew between nodes). Slurm's word is not enough: slurmstepd outlives a
 * killed slurmd, and slurmctld declares NODE_FAIL while its tasks go on measuring. Unless
 * every task has said it ended, at least task_stale_s pass, so that a task still starting
 * shows itself. Bounded by the CPU time limit (no task may run longer): past it, a task still
 * touching its file is called hung and no longer waited for, said aloud.
 */
static int wait_tasks_gone(struct orch *o, const char *dir, long iter)
{
	char alive[PATH_MAX + 16], now_path[PATH_MAX + 32];
	const long stale = o->cfg.slurm.task_stale_s;
	const long limit = (long)o->cfg.slurm.cpu.time_limit_min * 60 + stale;
	time_t t0 = time(NULL), said = t0;
	snprintf(alive, sizeof alive, "%s/alive", dir);
	snprintf(now_path, sizeof now_path, "%s/.now", alive);
	for (;;) {
		struct stat ref, hb;
		struct dirent *e;
		DIR *d = opendir(alive);
		int live = 0, unended = 0, fd;
		char first[NAME_MAX + 1] = "";
		long first_age = 0, waited = (long)(time(NULL) - t0);
		if (!d)
			return 0; /* no CPU task ever started */
		fd = open(now_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0 || write(fd, "\n", 1) != 1 || fstat(fd, &ref) != 0) {
			if (fd >= 0)
				close(fd);
			closedir(d);
			return util_error("iteration %ld: cannot write %s: %s", iter, now_path,
					  strerror(errno)), RUN_ERROR;
		}
		close(fd);
		while ((e = readdir(d))) {
			char path[PATH_MAX + NAME_MAX + 24];
			size_t l = strlen(e->d_name);
			long age;
			if (e->d_name[0] == '.' || (l > 4 && !strcmp(e->d_name + l - 4, ".end")))
				continue;
			snprintf(path, sizeof path, "%s/%s.end", alive, e->d_name);
			if (access(path, F_OK) == 0)
				continue;
			unended++;
			snprintf(path, sizeof path, "%s/%s", alive, e->d_name);
			if (stat(path, &hb) != 0)
				continue;
			age = (long)(ref.st_mtime - hb.st_mtime);
			if (age < stale) {
				if (!live++) {
					snprintf(first, sizeof first, "%s", e->d_name);
					first_age = age;
				}
			}
		}
		closedir(d);
		if (!live && (!unended || waited >= stale))
			return 0;
		if (live && waited >= limit) {
			util_info("iteration %ld: %d CPU task(s) (%s, ...) still alive %ld s after their job "
				  "ended, past the CPU time limit: called hung, no longer waited for",
				  iter, live, first, waited);
			return 0;
		}
		if (live && (waited == 0 || time(NULL) - said >= o->cfg.slurm.status_interval_s)) {
			said = time(NULL);
			util_info("iteration %ld: the job ended but %d CPU task(s) may still measure (alive/%s "
				  "touched %ld s ago): waiting for them (at most %ld s more) before measuring "
				  "their samples again", iter, live, first, first_age, limit - waited);
		}
		if (run_stop_signal)
			return RUN_STOPPED;
		{
			struct timespec ts = {1, 0};
			nanosleep(&ts, NULL);
		}
	}
}

/* The rounds of an iteration of several that the GPU step has not finished: without a complete
 * checkpoint after the last one that has one (fixed writes none: the rounds without
 * completions). 0 for an iteration of one round (its follow-ups measure, they do not train). */
static int rounds_unfinished(const struct orch *o, const char *dir, int rounds, int generated)
{
	if (rounds <= 1)
		return 0;
	if (o->cfg.gpu_step.command == CONFIG_GPU_FIXED)
		return rounds - generated;
	return rounds - checkpoints_last_round(dir, rounds);
}

/* Follow-up N's inputs: each round's unmeasured samples into ROUND/retry-N.jsonl (kept when
 * it exists: a resumed orchestrator must not change what a follow-up measures). */
static int write_retry_files(const char *dir, int rounds, int retry, json_t *missing)
{
	for (int k = 1; k <= rounds; k++) {
		char rd[PATH_MAX], path[PATH_MAX + 64];
		json_t *mine = json_array(), *e;
		size_t i;
		int rc = 0;
		if (iterlog_round_dir(rd, sizeof rd, dir, k, rounds) != 0)
			return util_error("run_dir too long");
		json_array_foreach(missing, i, e) {
			json_t *c;
			if (rounds > 1 && json_integer_value(json_object_get(e, "round")) != k)
				continue;
			c = json_deep_copy(e);
			json_object_del(c, "round");
			json_array_append_new(mine, c);
		}
		snprintf(path, sizeof path, "%s/retry-%d.jsonl", rd, retry);
		if (json_array_size(mine) && access(path, F_OK) != 0 && jsonl_write(path, mine) != 0)
			rc = util_error("cannot write %s: %s", path, strerror(errno));
		json_decref(mine);
		if (rc)
			return -1;
	}
	return 0;
}

/* ---- one iteration ---------------------------------------------------------------------------- */

static int run_iteration(struct orch *o, struct iter_record *r)
{
	char dir[PATH_MAX], path[PATH_MAX + 64];
	enum iter_state final = ITER_COMPLETED;
	json_t *results = NULL, *missing = NULL;
	uint32_t job = (uint32_t)strtoul(r->job_id, NULL, 10);
	long ncompl = 0;
	int rc, generated = 0, unfinished;

	if (util_pathf(dir, sizeof dir, "%s/iter-%04ld", o->run_dir, r->iter) != 0)
		return util_error("run_dir too long"), RUN_ERROR;
	snprintf(path, sizeof path, "%s/results", dir);
	if (util_mkdirs(path, 0755) != 0)
		return util_error("cannot create %s: %s", path, strerror(errno)), RUN_ERROR;
	/* A new iteration has the configuration's rounds; a resumed one keeps its record's. */
	if (!job && r->retries == 0)
		r->rounds = o->cfg.gpu_step.rounds;
	if (sqd_prepare(o->sqd, r->iter, dir, &r->stage) != 0 || prepare_rounds(dir, r->rounds) != 0)
		return RUN_ERROR;

	/* The het job: reattach to the recorded one, or submit (retries 0 means none ran). */
	if (!job && r->retries == 0) {
		iterlog_stamp(dir, "submit");
		if (submit(o, r->iter, dir, r->rounds, 0, 0, &job) != 0)
			return RUN_ERROR;
		iterlog_stamp(dir, "submitted");
		snprintf(r->job_id, sizeof r->job_id, "%u", job);
		r->state = ITER_PENDING;
		r->submit = time(NULL);
		if (append(o, r) != 0)
			return RUN_ERROR;
	}
	/* Resumed while follow-up N ran (the record says retries N): that job, not the long-gone
	 * het job, is the one to watch. Otherwise follow-up N+1 would measure beside it. */
	if (r->retries > 0) {
		char name[256], err[512];
		uint32_t ids[8];
		int k;
		job_name(o, r->iter, r->retries, name, sizeof name);
		while ((k = sc_find_by_name(name, ids, 8, err, sizeof err)) == SC_UNREACHABLE ||
		       k == SC_BUSY) {
			if (run_stop_signal)
				return RUN_STOPPED;
			sleep((unsigned)o->cfg.slurm.poll_interval_s);
		}
		if (k < 0)
			return util_error("iteration %ld: %s", r->iter, err), RUN_ERROR;
		if (k > 0) {
			job = ids[0]; /* the newest of that name; watch() copes with a finished one */
			util_info("iteration %ld: follow-up %d is job %u", r->iter, r->retries, job);
		} else {
			job = 0; /* purged: it ended long ago, what it measured is on disk */
		}
	}
	for (;;) {
		char end_event[32];
		if (r->retries)
			snprintf(end_event, sizeof end_event, "retry_%d_end", r->retries);
		else
			snprintf(end_event, sizeof end_event, "job_end");
		if (job && (rc = watch(o, job, dir, end_event, r, &final)) != 0)
			return rc; /* stopped (recorded as it is) or an error */
		/* What is on disk decides only once no task can add to it. */
		if ((rc = wait_tasks_gone(o, dir, r->iter)) != 0)
			return rc;
		{
			/* A step that failed says so in the timeline (cpu_step_exit_S, retry_N_exit_S). */
			char ev[64], pre[32];
			const char *st;
			if (r->retries)
				snprintf(pre, sizeof pre, "retry_%d_exit_", r->retries);
			else
				snprintf(pre, sizeof pre, "cpu_step_exit_");
			if (iterlog_stamp_prefix(dir, pre, ev, sizeof ev) > 0 && (st = ev + strlen(pre)))
				util_info("iteration %ld: the CPU step of job %u exited %s (%s: see %s/slurm-%s%u.out)",
					  r->iter, job, st, atoi(st) == 2 ? "a usage or input error" : "a failure",
					  dir, r->retries ? "retry-" : "", job);
		}
		json_decref(results);
		json_decref(missing);
		if (collect(dir, r->rounds, &results, &missing, &ncompl, &generated) != 0 || ncompl == 0) {
			/* No completions (none, or an empty file): the GPU step failed. Nothing was
			 * measured; the iteration is recorded as it ended (a job that ended well
			 * as failed, not as a completed iteration of 0 samples) and the run goes on. */
			json_decref(results);
			json_decref(missing);
			util_error("iteration %ld: the GPU step wrote no completions (job %s %s)", r->iter,
				   r->job_id, iterlog_state_name(final));
			r->state = final == ITER_COMPLETED ? ITER_FAILED : final;
			r->end = time(NULL);
			summarise_rounds(dir, NULL, r);
			if (sqd_update(o->sqd, r->iter, dir, NULL, r) != 0)
				return RUN_ERROR;
			return append(o, r) ? RUN_ERROR : RUN_DONE;
		}
		if (final == ITER_CANCELLED || r->retries >= o->cfg.slurm.retry_max || run_stop_signal)
			break;
		/* Rounds the GPU step did not finish (it died, was cancelled from outside, ran out of
		 * time): the iteration's job again, as follow-up N, for the rest. It redoes nothing
		 * done: the GPU step starts after the last round with a checkpoint, the CPU tasks
		 * skip whole shards and resume their journals (so it also measures what is missing
		 * of the rounds before). */
		if ((unfinished = rounds_unfinished(o, dir, r->rounds, generated)) > 0) {
			r->retries++;
			util_info("iteration %ld: %d of %d rounds unfinished after job %u (%s); follow-up %d "
				  "runs them as a heterogeneous job", r->iter, unfinished, r->rounds, job,
				  iterlog_state_name(final), r->retries);
			if (submit(o, r->iter, dir, r->rounds, r->retries, 1, &job) != 0)
				return RUN_ERROR;
			r->state = ITER_RUNNING;
			if (append(o, r) != 0)
				return RUN_ERROR;
			continue;
		}
		if (json_array_size(missing) == 0)
			break;
		/* Some samples were not measured (a node died, a component was cancelled, the job
		 * ran out of time): measure exactly those, in a follow-up CPU job. */
		r->retries++;
		util_info("iteration %ld: %zu of %ld samples unmeasured after job %u (%s); follow-up %d",
			  r->iter, json_array_size(missing), ncompl, job, iterlog_state_name(final),
			  r->retries);
		if (write_retry_files(dir, r->rounds, r->retries, missing) != 0)
			return RUN_ERROR;
		json_decref(results);
		json_decref(missing);
		results = missing = NULL;
		if (submit(o, r->iter, dir, r->rounds, r->retries, 0, &job) != 0)
			return RUN_ERROR;
		r->state = ITER_RUNNING;
		if (append(o, r) != 0)
			return RUN_ERROR;
	}
	iterlog_summarise(results, r);
	summarise_rounds(dir, results, r);
	if (sqd_update(o->sqd, r->iter, dir, results, r) != 0) {
		json_decref(results);
		json_decref(missing);
		return RUN_ERROR;
	}
	if (!r->end || r->retries)
		r->end = time(NULL); /* follow-ups end the iteration later than its job */
	if (final == ITER_CANCELLED)
		r->state = ITER_CANCELLED;
	else if (json_array_size(missing) == 0 && generated == r->rounds)
		r->state = ITER_COMPLETED;
	else
		r->state = final == ITER_COMPLETED ? ITER_FAILED : final;
	if (generated < r->rounds)
		util_info("iteration %ld: the GPU step wrote the completions of %d of %d rounds (job %s "
			  "%s); the next iteration starts from the last complete checkpoint",
			  r->iter, generated, r->rounds, r->job_id, iterlog_state_name(final));
	if (r->rounds > 1)
		util_info("iteration %ld: %s, %d of %d rounds updated, %ld samples measured, %zu "
			  "unmeasured, %ld ok, best %.2f GFLOPS",
			  r->iter, iterlog_state_name(r->state), r->rounds_done, r->rounds, r->samples,
			  json_array_size(missing), r->ok, r->best_gflops > 0 ? r->best_gflops : 0.0);
	else
		util_info("iteration %ld: %s, %ld samples measured, %zu unmeasured, %ld ok, best %.2f GFLOPS",
			  r->iter, iterlog_state_name(r->state), r->samples, json_array_size(missing), r->ok,
			  r->best_gflops > 0 ? r->best_gflops : 0.0);
	rc = append(o, r) ? RUN_ERROR : RUN_DONE;
	iterlog_stamp(dir, "recorded");
	/* Old checkpoints go only now: the iteration's own are complete and recorded. */
	if (rc == RUN_DONE && o->cfg.gpu_step.keep_checkpoints > 0)
		checkpoints_prune(o->run_dir, o->cfg.gpu_step.keep_checkpoints);
	json_decref(results);
	json_decref(missing);
	return rc;
}

/* ---- commands ----------------------------------------------------------------------------- */

static const char *conf_arg(int argc, char **argv, const char *usage)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *conf = NULL;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		if (c == 'c')
			conf = optarg;
		else if (c == 'h') {
			fputs(usage, stdout);
			exit(0);
		} else {
			fputs(usage, stderr);
			exit(2);
		}
	}
	if (!conf || optind < argc) {
		fputs(usage, stderr);
		exit(2);
	}
	return conf;
}

int cmd_run(int argc, char **argv)
{
	const char *conf = conf_arg(argc, argv, run_usage);
	struct orch o;
	struct iter_record *recs = NULL, cur;
	size_t n = 0;
	char err[512], path[PATH_MAX + 32];
	long next = 1;
	int rc = RUN_ERROR;

	memset(&o, 0, sizeof o);
	o.lock_fd = -1;
	if (paths(&o, conf) != 0)
		return 2;
	if (take_run_lock(&o) != 0)
		goto out;
	signal(SIGTERM, on_stop);
	signal(SIGINT, on_stop);
	/* The run says what it ran with: every key, defaults included, as this start read them. */
	{
		char *text = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&text, &len);
		snprintf(path, sizeof path, "%s/config.conf", o.state_dir);
		if (!m || config_print(m, &o.cfg) != 0 || fclose(m) != 0 ||
		    util_write_atomic(path, text, len) != 0) {
			util_error("cannot write %s: %s", path, strerror(errno));
			free(text);
			goto out;
		}
		free(text);
	}
	snprintf(path, sizeof path, "%s/cancel-requested", o.state_dir);
	if (unlink(path) == 0)
		util_info("perfrl run: an earlier cancel request is cleared; resuming");
	/* stages.lua is asked for every plan still to come before anything is submitted. */
	if (sqd_open(&o.cfg, o.state_dir, &o.sqd) != 0) {
		util_error("fix the curriculum (%s) and run again; nothing was submitted",
			   o.cfg.stages);
		goto out;
	}
	if (sc_ping(err, sizeof err) != SC_OK)
		util_info("perfrl run: slurmctld does not answer yet (%s); waiting for it", err);
	if (iterlog_load(o.run_dir, &recs, &n, err, sizeof err) != 0) {
		util_error("%s", err);
		goto out;
	}
	/* Resume: an unfinished iteration is taken up where it was, else the next one. */
	iterlog_record_init(&cur, 1);
	if (n) {
		struct iter_record *last = &recs[n - 1];
		if (last->state == ITER_PENDING || last->state == ITER_RUNNING ||
		    last->state == ITER_REQUEUED) {
			cur = *last;
			util_info("perfrl run: resuming iteration %ld (job %s)", cur.iter, cur.job_id);
		} else {
			next = last->iter + 1;
			iterlog_record_init(&cur, next);
		}
	}
	util_info("perfrl run: %s, iterations %ld..%d, run directory %s", conf, cur.iter,
		  o.cfg.iterations, o.run_dir);
	rc = RUN_DONE;
	while (cur.iter <= o.cfg.iterations) {
		rc = run_iteration(&o, &cur);
		if (rc != RUN_DONE)
			break;
		if (cur.state == ITER_CANCELLED || cancel_requested(&o)) {
			util_info("perfrl run: cancelled after iteration %ld", cur.iter);
			unlink(path);
			break;
		}
		iterlog_record_init(&cur, cur.iter + 1);
	}
	if (rc == RUN_STOPPED) {
		util_info("perfrl run: stopped by SIG%s during iteration %ld; its job goes on and "
			  "`perfrl run -c %s` resumes it",
			  sigabbrev_np(run_stop_signal), cur.iter, conf);
		rc = RUN_DONE;
	}
out:
	iterlog_free(recs);
	sqd_close(o.sqd);
	if (o.lock_fd >= 0)
		close(o.lock_fd);
	free(o.trl_head);
	config_free(&o.cfg);
	return rc;
}

int cmd_cancel(int argc, char **argv)
{
	const char *conf = conf_arg(argc, argv, cancel_usage);
	struct orch o;
	struct iter_record *recs = NULL;
	size_t n = 0;
	char err[512], path[PATH_MAX + 32];
	int rc = 1;

	memset(&o, 0, sizeof o);
	o.lock_fd = -1;
	if (paths(&o, conf) != 0)
		return 2;
	if (util_mkdirs(o.state_dir, 0755) != 0) {
		util_error("cannot create %s: %s", o.state_dir, strerror(errno));
		goto out;
	}
	snprintf(path, sizeof path, "%s/cancel-requested", o.state_dir);
	if (util_write_atomic(path, "cancel\n", 7) != 0) {
		util_error("cannot write %s: %s", path, strerror(errno));
		goto out;
	}
	/* A live orchestrator sees the request at its next poll and does the rest itself. */
	{
		char holder[64] = "";
		if (take_run_lock_q(&o, 1, holder, sizeof holder) != 0) {
			if (o.lock_fd < 0 && holder[0]) {
				util_info("perfrl cancel: the running orchestrator (%s) will cancel its job and stop",
					  holder);
				rc = 0;
			}
			goto out;
		}
	}
	if (iterlog_load(o.run_dir, &recs, &n, err, sizeof err) != 0) {
		util_error("%s", err);
		goto out;
	}
	if (n && (recs[n - 1].state == ITER_PENDING || recs[n - 1].state == ITER_RUNNING ||
		  recs[n - 1].state == ITER_REQUEUED)) {
		struct iter_record r = recs[n - 1];
		uint32_t job = (uint32_t)strtoul(r.job_id, NULL, 10);
		char name[256];
		uint32_t ids[8];
		int k;
		char dir[PATH_MAX];
		json_t *results = NULL, *missing = NULL;
		long ncompl = 0;
		if (job) {
			sc_cancel(job, err, sizeof err);
			run_wait_ended(job, 60);
		}
		for (int retry = 1; retry <= r.retries; retry++) {
			job_name(&o, r.iter, retry, name, sizeof name);
			k = sc_find_by_name(name, ids, 8, err, sizeof err);
			for (int i = 0; i < k && i < 8; i++) {
				sc_cancel(ids[i], err, sizeof err);
				run_wait_ended(ids[i], 60);
			}
		}
		/* What it measured is kept, and counted, as the orchestrator would. */
		if (util_pathf(dir, sizeof dir, "%s/iter-%04ld", o.run_dir, r.iter) == 0 &&
		    collect(dir, r.rounds, &results, &missing, &ncompl, NULL) == 0) {
			iterlog_summarise(results, &r);
			summarise_rounds(dir, results, &r);
			/* Its kernels reach the archive too (a broken stages.lua only costs that). */
			if (sqd_open(&o.cfg, o.state_dir, &o.sqd) == 0)
				sqd_update(o.sqd, r.iter, dir, results, &r);
			json_decref(results);
			json_decref(missing);
		}
		r.state = ITER_CANCELLED;
		r.end = time(NULL);
		if (append(&o, &r) == 0)
			util_info("perfrl cancel: iteration %ld (job %s) cancelled; what it measured is kept",
				  r.iter, r.job_id);
	} else {
		util_info("perfrl cancel: no live iteration in %s", o.run_dir);
	}
	unlink(path);
	rc = 0;
out:
	iterlog_free(recs);
	sqd_close(o.sqd);
	if (o.lock_fd >= 0)
		close(o.lock_fd);
	free(o.trl_head);
	config_free(&o.cfg);
	return rc;
}
