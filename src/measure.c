/* measure.c - run a built kernel in the sandbox: check it on several shapes, then time it. */
#include "config.h"
#include "measure.h"
#include "harness_proto.h"
#include "cgroup.h"
#include "machine.h"
#include "sandbox.h"
#include "stats.h"
#include "util.h"
#include "verify.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

const struct shape measure_check_shapes[] = {
	{1, 1, 1}, {17, 33, 65}, {127, 1, 255}, {3, 200, 7}, {64, 48, 100},
};
const int measure_ncheck_shapes = sizeof measure_check_shapes / sizeof measure_check_shapes[0];

/* A random permutation of 0..7 (Fisher-Yates). */
static void permute8(struct verify_csprng *g, int p[8])
{
	for (int i = 0; i < 8; i++)
		p[i] = i;
	for (int i = 7; i > 0; i--) {
		int j = (int)verify_csprng_below(g, (uint64_t)i + 1), t = p[i];
		p[i] = p[j];
		p[j] = t;
	}
}

/* Make p[slot] odd by swapping it with another (random) odd entry. */
static void make_odd(struct verify_csprng *g, int p[8], int slot)
{
	if (p[slot] & 1)
		return;
	for (int i = 1 + 2 * (int)verify_csprng_below(g, 4);; i = (i + 2) % 8) {
		for (int j = 0; j < 8; j++)
			if (p[j] == i) {
				p[j] = p[slot];
				p[slot] = i;
				return;
			}
	}
}

/* Uniform in [lo, hi] among the values = r (mod 8); [lo, hi] spans at least 8 values. */
static int with_residue(struct verify_csprng *g, int lo, int hi, int r)
{
	int first = lo + ((r - lo) % 8 + 8) % 8;
	return first + 8 * (int)verify_csprng_below(g, (uint64_t)(hi - first) / 8 + 1);
}

void measure_random_shapes(struct verify_csprng *g, struct shape out[MEASURE_RANDOM_SHAPES])
{
	/* Slot 0: m and n past common tile sizes; 1: k past a 256-deep block, odd; 2: both;
	 * the rest small. At most ~30 MFLOP in all: tens of ms for a naive kernel. */
	static const int range[MEASURE_RANDOM_SHAPES][3][2] = {
		{{129, 263}, {129, 263}, {1, 64}},
		{{1, 72}, {1, 72}, {257, 400}},
		{{65, 140}, {65, 140}, {257, 330}},
		{{1, 64}, {1, 64}, {1, 64}}, {{1, 64}, {1, 64}, {1, 64}}, {{1, 64}, {1, 64}, {1, 64}},
		{{1, 64}, {1, 64}, {1, 64}}, {{1, 64}, {1, 64}, {1, 64}},
	};
	int res[3][8];
	for (int d = 0; d < 3; d++)
		permute8(g, res[d]);
	make_odd(g, res[0], 0);
	make_odd(g, res[1], 0);
	make_odd(g, res[2], 1);
	for (int i = 0; i < MEASURE_RANDOM_SHAPES; i++) {
		int v[3];
		for (int d = 0; d < 3; d++)
			v[d] = with_residue(g, range[i][d][0], range[i][d][1], res[d][i]);
		out[i] = (struct shape){v[0], v[1], v[2]};
	}
}

void measure_defaults(struct measure_opts *o)
{
	memset(o, 0, sizeof *o);
	o->shapes[0] = (struct shape){512, 512, 512};
	o->nshapes = 1;
	o->budget_s = 2.0;
	o->timeout_s = 10.0;
	o->target_cv = 0.01;
	o->min_reps = 5;
	o->max_reps = 1000;
	o->mem_bytes = 4ULL << 30;
	o->lock_path = "/tmp/perfrl-timing.lock";
}

const char *measure_find_harness(void)
{
	static char path[PATH_MAX];
	const char *e = getenv("PERFRL_HARNESS");
	char self[PATH_MAX];
	ssize_t n;
	if (e && *e)
		return e;
	n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n > 0) {
		char *slash;
		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			if (util_pathf(path, sizeof path, "%s/perfrl-harness", self) == 0 &&
			    access(path, X_OK) == 0)
				return path;
		}
	}
	return PERFRL_LIBEXECDIR "/perfrl-harness";
}

/* ---- one harness session ------------------------------------------------------------ */

struct session {
	struct sandbox_proc p;
	int cmd, reply;
	double *in, *out;
	size_t in_bytes, out_bytes, b_off;
	int wstatus, exited;
	/* Both keyed from getrandom: the kernel sees A, B and the nonces, and none of them
	 * tells it the next call's inputs, x, or whether the next call is checked in full. */
	struct verify_csprng secret; /* x, the full-check coin, the nonces */
	struct verify_csprng inputs; /* the calls' fill seeds and random shapes (--seed: from it) */
	double *x;             /* Freivalds: x, B x and A (B x), never shared with the kernel */
	struct cgroup_box cg;
	int finished;
};

enum call_result { CALL_OK, CALL_DIED, CALL_TIMEOUT, CALL_FORGED };

static size_t round_up(size_t x, size_t a)
{
	return (x + a - 1) / a * a;
}

/* Two memfds: inputs sealed read-only for every later mapping, C read-write. */
static int make_region(size_t bytes, int seal_inputs, int *fd, double **map)
{
	*fd = memfd_create(seal_inputs ? "perfrl-inputs" : "perfrl-output",
			   MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (*fd < 0 || ftruncate(*fd, (off_t)bytes) != 0)
		return -1;
	*map = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, *fd, 0);
	if (*map == MAP_FAILED)
		return -1;
	if (fcntl(*fd, F_ADD_SEALS,
		  F_SEAL_SHRINK | F_SEAL_GROW | (seal_inputs ? F_SEAL_FUTURE_WRITE : 0) | F_SEAL_SEAL) != 0)
		return -1;
	return 0;
}

static void classify_death(const struct session *s, int wstatus, const char *when,
			   struct measurement *m)
{
	if (WIFSIGNALED(wstatus)) {
		int sig = WTERMSIG(wstatus);
		if (sig == SIGSYS) {
			m->status = STATUS_REJECTED;
			snprintf(m->detail, sizeof m->detail,
				 "made a forbidden system call %s (killed by the seccomp filter)", when);
		} else if (sig == SIGXCPU) {
			m->status = STATUS_TIMEOUT;
			snprintf(m->detail, sizeof m->detail, "ran past its CPU-time limit %s", when);
		} else if (sig == SIGKILL && cgroup_oom_killed(&s->cg)) {
			m->status = STATUS_RUNTIME_ERROR;
			snprintf(m->detail, sizeof m->detail, "ran out of memory %s (the run's limit)",
				 when);
		} else {
			m->status = STATUS_RUNTIME_ERROR;
			snprintf(m->detail, sizeof m->detail, "killed by SIG%s %s%s", sigabbrev_np(sig),
				 when, sig == SIGKILL ? " (memory or process limit)" : "");
		}
	} else {
		m->status = STATUS_RUNTIME_ERROR;
		snprintf(m->detail, sizeof m->detail, "exited with status %d %s",
			 WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1, when);
	}
}

static void reap(struct session *s)
{
	if (!s->exited && s->p.pid > 0) {
		sandbox_wait(&s->p, 1.0, &s->wstatus);
		s->exited = 1;
	}
}

/* Read exactly one reply within timeout_s. 1: got it, 0: EOF (died), -1: timeout. */
static int read_reply(struct session *s, double timeout_s, struct harness_reply *r)
{
	double deadline = util_now() + timeout_s;
	size_t got = 0;
	while (got < sizeof *r) {
		struct pollfd pf = {s->reply, POLLIN, 0};
		double left = deadline - util_now();
		int n;
		ssize_t k;
		if (left <= 0)
			return -1;
		n = poll(&pf, 1, (int)ceil(left * 1000));
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0)
			return -1;
		k = read(s->reply, (char *)r + got, sizeof *r - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return 0;
		got += (size_t)k;
	}
	return 1;
}

/*
 * Stop the whole harness and wait until it is stopped: waitpid reports a stop only once every
 * thread has stopped, and a harness cannot make processes (its filter allows clone only with
 * CLONE_THREAD), so nothing of the kernel's runs until the next SIGCONT. 0, or -1: it died.
 */
static int hold(struct session *s)
{
	kill(s->p.pid, SIGSTOP);
	if (waitpid(s->p.pid, &s->wstatus, WUNTRACED) == s->p.pid && !WIFSTOPPED(s->wstatus)) {
		s->exited = 1;
		s->p.pid = -1;
		return -1;
	}
	return 0;
}

/*
 * One timed round trip. The kernel's process is stopped (SIGSTOP) the moment its reply
 * arrives, so that no work it left running can finish while the parent reads C: what is
 * not in C at that instant does not count.
 */
static enum call_result call(struct session *s, int op, struct shape sh, double timeout_s,
			     double *seconds)
{
	struct harness_cmd c = {op, sh.m, sh.n, sh.k, 0, s->b_off, 0, verify_csprng_u64(&s->secret)};
	struct harness_reply r;
	struct pollfd pf = {s->reply, POLLIN, 0};
	double t0, t1;
	int got;

	/* Anything already waiting on the reply pipe was written by the kernel itself. */
	if (poll(&pf, 1, 0) > 0 && (pf.revents & POLLIN))
		return CALL_FORGED;
	kill(s->p.pid, SIGCONT);
	t0 = util_now();
	if (write(s->cmd, &c, sizeof c) != (ssize_t)sizeof c)
		return CALL_DIED;
	got = read_reply(s, timeout_s, &r);
	t1 = util_now();
	if (got < 0)
		return CALL_TIMEOUT;
	if (got == 0)
		return CALL_DIED;
	if (hold(s) != 0)
		return CALL_DIED;
	if (r.op != op || r.nonce != c.nonce)
		return CALL_FORGED;
	*seconds = t1 - t0;
	return CALL_OK;
}

static int start(struct session *s, const char *so_path, const struct measure_opts *o,
		 size_t in_elems_a, size_t in_elems_b, size_t out_elems, int threads, int group,
		 const char *cpus, struct measurement *m)
{
	int in_fd = -1, out_fd = -1, cmdp[2] = {-1, -1}, repp[2] = {-1, -1}, rc = -1;
	char in_arg[32], out_arg[32], omp[32], err[512];
	struct sandbox_opts so;
	struct harness_reply r;

	s->b_off = round_up(in_elems_a * sizeof(double), 4096);
	s->in_bytes = s->b_off + round_up(in_elems_b * sizeof(double), 4096);
	/* One spare page past C: writes beyond the matrix land in poison that is checked. */
	s->out_bytes = round_up(out_elems * sizeof(double), 4096) + 4096;
	if (make_region(s->in_bytes, 1, &in_fd, &s->in) != 0 ||
	    make_region(s->out_bytes, 0, &out_fd, &s->out) != 0 || pipe2(cmdp, O_CLOEXEC) != 0 ||
	    pipe2(repp, O_CLOEXEC) != 0) {
		util_error("cannot set up the harness's shared memory: %s", strerror(errno));
		goto out;
	}
	snprintf(in_arg, sizeof in_arg, "%zu", s->in_bytes);
	snprintf(out_arg, sizeof out_arg, "%zu", s->out_bytes);
	snprintf(omp, sizeof omp, "OMP_NUM_THREADS=%d", threads);
	{
		const char *argv[] = {o->harness, so_path, in_arg, out_arg, cpus, NULL};
		/* libgomp's places come from the process's CPUs, which the harness pins to `cpus`
		 * before libgomp is loaded: binding never leaves them. */
		const char *envp[] = {omp, "OMP_PROC_BIND=close", "OMP_PLACES=cores",
				      "OMP_DYNAMIC=false", "LC_ALL=C", NULL};
		memset(&so, 0, sizeof so);
		so.argv = argv;
		so.envp = envp;
		so.fds[0] = in_fd;
		so.fds[1] = out_fd;
		so.fds[2] = cmdp[0];
		so.fds[3] = repp[1];
		so.nfds = 4;
		so.stdout_fd = so.stderr_fd = -1;
		so.as_bytes = o->mem_bytes;
		/* A backstop only: the per-call wall-clock timeout is what normally fires. In a
		 * group, a slow member may take most of the group's budget. */
		so.cpu_seconds = (unsigned long long)(threads * (o->timeout_s * 4 +
								  o->budget_s * 4 * o->nshapes * group) + 30);
		so.fsize_bytes = 0;
		so.nproc = 4096;
		so.nofile = 32;
		if (access(o->harness, X_OK) != 0) {
			util_error("the sandbox harness %s is missing (build it, or set PERFRL_HARNESS)",
				   o->harness);
			goto out;
		}
		if (sandbox_spawn(&so, &s->p, err, sizeof err) != 0) {
			util_error("%s", err);
			goto out;
		}
		/* Before its first command, so before any code of the kernel's runs. Threads
		 * count as tasks: the cap is generous for OpenMP and stops a thread bomb. */
		if (cgroup_create(&s->cg, o->mem_bytes, 1024) == 0 && cgroup_attach(&s->cg, s->p.pid) != 0) {
			util_error("cannot put the harness into its cgroup %s", s->cg.dir[0]);
			goto out;
		}
	}
	s->cmd = cmdp[1];
	s->reply = repp[0];
	cmdp[1] = repp[0] = -1;
	switch (read_reply(s, 30, &r)) {
	case 1:
		if (r.op == HARNESS_READY && r.status == HARNESS_OK) {
			rc = 0;
			break;
		}
		if (r.op == HARNESS_READY && (r.status == HARNESS_E_DLOPEN || r.status == HARNESS_E_NOSYM)) {
			m->status = STATUS_RUNTIME_ERROR;
			/* The loader's text would quote names the kernel chose: the audit already
			 * refused every undefined name it could not resolve, so say only which step. */
			snprintf(m->detail, sizeof m->detail, "the kernel failed to load (%s)",
				 r.status == HARNESS_E_NOSYM ? "no dgemm symbol" : "dynamic loader error");
			rc = 1;
			break;
		}
		util_error("the sandbox harness failed to start (code %d: %.*s)", r.status,
			   (int)sizeof r.msg, r.msg);
		break;
	case 0:
		reap(s);
		util_error("the sandbox harness died while starting (wait status %#x)", s->wstatus);
		break;
	default:
		util_error("the sandbox harness did not start within 30 s");
		break;
	}
out:
	if (in_fd >= 0)
		close(in_fd);
	if (out_fd >= 0)
		close(out_fd);
	for (int i = 0; i < 2; i++) {
		if (cmdp[i] >= 0)
			close(cmdp[i]);
		if (repp[i] >= 0)
			close(repp[i]);
	}
	return rc;
}

/*
 * The harness's CPUs: the first `threads` of those this process may use (under Slurm, the
 * task's), as a list "0,1,...". The harness pins itself to them before the kernel is loaded
 * and refuses sched_setaffinity after, so `num_threads(omp_get_num_procs())` gets no more
 * cores than --threads. Returns how many were chosen (fewer when fewer are allowed), or -1.
 */
static int pick_cpus(int threads, char *out, size_t len)
{
	cpu_set_t set;
	size_t used = 0;
	int n = 0;
	if (sched_getaffinity(0, sizeof set, &set) != 0)
		return -1;
	out[0] = '\0';
	for (int c = 0; c < CPU_SETSIZE && n < threads; c++) {
		int w;
		if (!CPU_ISSET(c, &set))
			continue;
		w = snprintf(out + used, len - used, "%s%d", n ? "," : "", c);
		if (w < 0 || (size_t)w >= len - used) {
			errno = ENAMETOOLONG;
			return -1;
		}
		used += (size_t)w;
		n++;
	}
	return n;
}

/* End the session and free what it holds; once (later calls do nothing). */
static void finish(struct session *s, struct measurement *m)
{
	if (s->finished)
		return;
	s->finished = 1;
	if (s->p.pid > 0 && !s->exited) {
		struct harness_cmd q = {HARNESS_QUIT, 0, 0, 0, 0, 0, 0, 0};
		kill(s->p.pid, SIGCONT);
		(void)!write(s->cmd, &q, sizeof q);
		if (sandbox_wait(&s->p, 2.0, &s->wstatus) != 0)
			sandbox_kill(&s->p, &s->wstatus);
		s->exited = 1;
	}
	reap(s);
	m->peak_memory = cgroup_peak_memory(&s->cg);
	cgroup_destroy(&s->cg);
	if (s->cmd >= 0)
		close(s->cmd);
	if (s->reply >= 0)
		close(s->reply);
	if (s->in && s->in != MAP_FAILED)
		munmap(s->in, s->in_bytes);
	if (s->out && s->out != MAP_FAILED)
		munmap(s->out, s->out_bytes);
}

/* ---- checked calls --------------------------------------------------------------------- */

/* CHECK_COIN: Freivalds, and the full check with probability 1/32, the coin tossed only
 * once the kernel has answered and stopped. */
enum check { CHECK_FREIVALDS, CHECK_FULL, CHECK_COIN };

/* Fresh inputs, poisoned C, one call, then the check. Returns 0 (*full: the call was checked
 * elementwise), or -1 with m's status set. */
static int checked_call(struct session *s, struct shape sh, enum check how, double timeout_s,
			double *scratch, double *seconds, int *full, struct measurement *m)
{
	double t0 = util_now(), t1;
	size_t cn = (size_t)sh.m * sh.n, cap = (s->out_bytes) / sizeof(double);
	const double *A = s->in, *B = (const double *)((char *)s->in + s->b_off);
	char when[96], detail[400];
	long bad;

	verify_inputs(verify_csprng_u64(&s->inputs), &s->secret, sh.m, sh.n, sh.k, s->in,
		      (double *)((char *)s->in + s->b_off), s->x, s->x + sh.n, s->x + sh.n + sh.k);
	verify_poison(s->out, cap);
	snprintf(when, sizeof when, "during a call of shape %dx%dx%d", sh.m, sh.n, sh.k);
	t1 = util_now();
	m->input_s += t1 - t0;
	switch (call(s, HARNESS_CALL, sh, timeout_s, seconds)) {
	case CALL_OK:
		break;
	case CALL_TIMEOUT:
		sandbox_kill(&s->p, &s->wstatus);
		s->exited = 1;
		m->status = STATUS_TIMEOUT;
		snprintf(m->detail, sizeof m->detail, "a call of shape %dx%dx%d ran past %.3g s", sh.m,
			 sh.n, sh.k, timeout_s);
		return -1;
	case CALL_DIED:
		reap(s);
		classify_death(s, s->wstatus, when, m);
		return -1;
	case CALL_FORGED:
		m->status = STATUS_REJECTED;
		snprintf(m->detail, sizeof m->detail, "wrote to the harness's reply channel %s", when);
		return -1;
	}
	t0 = util_now();
	m->call_s += t0 - t1;
	/* An out-of-bounds write, as a fault on the page after the mapping would be: the same
	 * verdict whether the region (sized for the largest drawn shape) ran out or not. */
	if ((bad = verify_poison_intact(s->out + cn, cap - cn)) >= 0) {
		m->status = STATUS_RUNTIME_ERROR;
		snprintf(m->detail, sizeof m->detail,
			 "wrote past the end of C (element %ld after it) for shape %dx%dx%d", bad,
			 sh.m, sh.n, sh.k);
		return -1;
	}
	*full = how == CHECK_FULL || (how == CHECK_COIN && (verify_csprng_u64(&s->secret) & 31) == 0);
	if ((*full &&
	     verify_full(sh.m, sh.n, sh.k, A, B, s->out, scratch, detail, sizeof detail) != 0) ||
	    verify_freivalds(sh.m, sh.n, sh.k, s->out, s->x, s->x + sh.n + sh.k, scratch, detail,
			     sizeof detail) != 0) {
		m->status = STATUS_WRONG_ANSWER;
		snprintf(m->detail, sizeof m->detail, "%s", detail);
		return -1;
	}
	m->check_s += util_now() - t0;
	return 0;
}

/*
 * Calibrate the wire: the fastest round trip of 15 calls that do nothing. Every real call
 * pays at least that much for the wire, so subtracting it never makes a kernel look faster
 * than it is; subtracting a typical round trip would, for calls as short as its jitter.
 */
static int wire_latency(struct session *s, double *lat)
{
	double t;
	*lat = 1e9;
	for (int i = 0; i < 15; i++) {
		if (call(s, HARNESS_NOP, (struct shape){0, 0, 0}, 5, &t) != CALL_OK)
			return -1;
		*lat = t < *lat ? t : *lat;
	}
	return 0;
}

static int take_lock(const char *path, double *waited)
{
	int fd;
	double t0 = util_now();
	*waited = 0;
	if (!path || !*path)
		return -1;
	fd = open(path, O_RDONLY | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		util_info("waiting for the timing lock %s (another benchmark is timing on this node)",
			  path);
		while (flock(fd, LOCK_EX) != 0 && errno == EINTR)
			;
	}
	*waited = util_now() - t0;
	return fd;
}

/* ---- a group, timed interleaved ---------------------------------------------------------- */

/* One kernel of a group: its session, its record, and the current shape's timed calls. */
struct member {
	struct session s;
	struct measurement *m;
	double wire;
	double *samples;
	int n;        /* timed calls of the current shape */
	int standing; /* started, and not failed yet */
};

/* A member failed (its status is set): it leaves the group now, and its memory with it. */
static void drop(struct member *g)
{
	g->standing = 0;
	finish(&g->s, g->m);
}

static void summarize(const double *samples, int n, struct shape sh, struct shape_result *sr)
{
	sr->s = sh;
	sr->reps = n;
	sr->seconds = stats_median(samples, (size_t)n);
	sr->timed_s = 0;
	for (int i = 0; i < n; i++)
		sr->timed_s += samples[i];
	sr->gflops = 2.0 * sh.m * sh.n * sh.k / sr->seconds / 1e9;
	sr->cv = stats_robust_cv(samples, (size_t)n);
	sr->cv_stdev = stats_cv(samples, (size_t)n);
}

/* This round's order: a fresh permutation of the standing members, so that no kernel always
 * runs right after the same neighbour (whose cache and clock state it would inherit). */
static int round_order(struct verify_csprng *g, const struct member *gs, int n, int *order)
{
	int k = 0;
	for (int i = 0; i < n; i++)
		if (gs[i].standing)
			order[k++] = i;
	for (int i = k - 1; i > 0; i--) {
		int j = (int)verify_csprng_below(g, (uint64_t)i + 1), t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	return k;
}

/*
 * One measured shape for every standing member, interleaved: a warm-up round or more, then
 * rounds of one checked timed call each, until every member has min_reps and either all are
 * within the CV target or the group's budget (budget_s for each member) is spent. A host
 * phase (another tenant, a clock change) then falls on all of them alike, instead of on
 * whichever kernel happened to be timed during it.
 */
static void time_group(struct member *gs, int n, const struct measure_opts *o, int shape,
		       double *scratch, struct verify_csprng *order_g)
{
	struct shape sh = o->shapes[shape];
	int *order = util_xmalloc((size_t)n * sizeof *order), k, full, standing = 0;
	double t, start, budget;

	for (int i = 0; i < n; i++) {
		standing += gs[i].standing;
		gs[i].n = 0;
	}
	budget = o->budget_s * standing;
	/* Warm up: caches, page faults, the OpenMP pool. Checked like every other call. One
	 * round at least; more while they are short, up to 5% of the budget. */
	start = util_now();
	for (int r = 0; r < 1 || (r < 10 && util_now() - start < budget * 0.05); r++) {
		k = round_order(order_g, gs, n, order);
		for (int i = 0; i < k; i++) {
			struct member *g = &gs[order[i]];
			if (checked_call(&g->s, sh, r == 0 ? CHECK_FULL : CHECK_FREIVALDS, o->timeout_s,
					 scratch, &t, &full, g->m) != 0)
				drop(g);
		}
	}
	start = util_now();
	for (;;) {
		int more = 0, settled = 1;
		k = round_order(order_g, gs, n, order);
		for (int i = 0; i < k; i++) {
			struct member *g = &gs[order[i]];
			if (g->n >= o->max_reps)
				continue;
			/* Every timed call passes Freivalds; the first and about one in 32 more get
			 * the full elementwise check too. */
			if (checked_call(&g->s, sh, g->n == 0 ? CHECK_FULL : CHECK_COIN, o->timeout_s,
					 scratch, &t, &full, g->m) != 0) {
				drop(g);
				continue;
			}
			g->m->shapes[shape].checked += full;
			/* The wire's cost comes off, but never more than half of a round trip: for a
			 * call as short as the wire's jitter, the difference says nothing, and the
			 * figure must err slow, never fast. */
			g->samples[g->n++] = t - g->wire > t / 2 ? t - g->wire : t / 2;
		}
		for (int i = 0; i < n; i++) {
			if (!gs[i].standing || gs[i].n >= o->max_reps)
				continue;
			more = 1;
			if (gs[i].n < o->min_reps)
				settled = -1; /* not even the budget stops it */
			else if (settled > 0 &&
				 stats_robust_cv(gs[i].samples, (size_t)gs[i].n) > o->target_cv)
				settled = 0;
		}
		if (!more || settled > 0 || (settled == 0 && util_now() - start >= budget))
			break;
	}
	for (int i = 0; i < n; i++)
		if (gs[i].standing)
			summarize(gs[i].samples, gs[i].n, sh, &gs[i].m->shapes[shape]);
	free(order);
}

/* The peak, the CPUs and the threads: the same for every kernel of a group. Returns the number
 * of CPUs the harnesses are pinned to, or -1. */
static int group_machine(const struct measure_opts *o, struct measurement *proto, char *cpus,
			 size_t len)
{
	int threads = o->threads > 0 ? o->threads : machine_cpus(), ncpus;
	memset(proto, 0, sizeof *proto);
	proto->threads = threads;
	verify_set_threads(machine_cpus());
	if ((ncpus = pick_cpus(threads, cpus, len)) < 1) {
		util_error("cannot choose %d CPUs for the harness: %s", threads, strerror(errno));
		return -1;
	}
	proto->peak_how = "configured";
	if (o->peak_gflops > 0) {
		proto->peak_gflops = o->peak_gflops;
	} else {
		const char *nominal_how;
		proto->nominal_peak_gflops = machine_peak_gflops(ncpus, &nominal_how);
		proto->peak_gflops = machine_measured_peak(ncpus, 0, &proto->peak_how);
	}
	return ncpus;
}

/* At most MEASURE_MAX_GROUP kernels, each with its own session, all alive at once. */
static int measure_one_group(const char *const *so_paths, int n, const struct measure_opts *o,
			     struct measurement *ms)
{
	struct member *gs = util_xcalloc((size_t)n, sizeof *gs);
	struct measurement proto;
	struct verify_csprng order_g;
	size_t ea = 0, eb = 0, ec = 0, scratch_n = 0, fv_n = 0;
	double *scratch = NULL, t0 = util_now(), t, lock_wait = 0;
	int lock = -1, rc = -1, full, order_ok = 0, ncpus;
	enum { NCHECKS = sizeof measure_check_shapes / sizeof measure_check_shapes[0] +
			 MEASURE_RANDOM_SHAPES };
	struct shape(*checks)[NCHECKS] = util_xcalloc((size_t)n, sizeof *checks);
	char cpus[6144]; /* up to CPU_SETSIZE numbers */
	_Static_assert(NCHECKS <= MEASURE_MAX_CHECKS, "MEASURE_MAX_CHECKS");

	for (int j = 0; j < n; j++) {
		gs[j].m = &ms[j];
		gs[j].s.cmd = gs[j].s.reply = -1;
		memset(&ms[j], 0, sizeof ms[j]);
	}
	if ((ncpus = group_machine(o, &proto, cpus, sizeof cpus)) < 0)
		goto out;
	order_ok = verify_csprng_init(&order_g, NULL) == 0;
	for (int j = 0; j < n && order_ok; j++) {
		struct session *s = &gs[j].s;
		*gs[j].m = proto;
		/* Each kernel its own secrets and its own draw of check shapes, as if it ran alone:
		 * its verdict does not depend on the group it was put in (with --seed, every
		 * member's draw is the one it would get alone). */
		if (verify_csprng_init(&s->secret, NULL) != 0 ||
		    verify_csprng_init(&s->inputs, o->seed ? &o->seed : NULL) != 0)
			order_ok = 0;
		memcpy(checks[j], measure_check_shapes, sizeof measure_check_shapes);
		measure_random_shapes(&s->inputs, checks[j] + measure_ncheck_shapes);
		memcpy(gs[j].m->checked, checks[j], sizeof checks[j]);
		gs[j].m->nchecked = NCHECKS;
		for (int i = 0; i < NCHECKS + o->nshapes; i++) {
			struct shape sh = i < NCHECKS ? checks[j][i] : o->shapes[i - NCHECKS];
			size_t a = (size_t)sh.m * sh.k, b = (size_t)sh.k * sh.n, c = (size_t)sh.m * sh.n;
			size_t need = c + sh.m + sh.n, fv = (size_t)sh.n + sh.k + sh.m;
			ea = a > ea ? a : ea;
			eb = b > eb ? b : eb;
			ec = c > ec ? c : ec;
			scratch_n = need > scratch_n ? need : scratch_n;
			fv_n = fv > fv_n ? fv : fv_n;
		}
	}
	if (!order_ok) {
		util_error("cannot seed the secret generator (getrandom or OpenSSL's ChaCha20 failed)");
		goto out;
	}
	scratch = util_xmalloc(scratch_n * sizeof *scratch);
	for (int j = 0; j < n; j++) {
		gs[j].s.x = util_xmalloc(fv_n * sizeof *gs[j].s.x);
		gs[j].samples = util_xmalloc((size_t)o->max_reps * sizeof *gs[j].samples);
	}

	/* Once for the group: no other benchmark times on this node while any member does. */
	lock = take_lock(o->lock_path, &lock_wait);
	for (int j = 0; j < n; j++) {
		struct member *g = &gs[j];
		g->m->lock_wait_s = lock_wait;
		t = util_now();
		switch (start(&g->s, so_paths[j], o, ea, eb, ec, proto.threads, n, cpus, g->m)) {
		case 0:
			break;
		case 1:
			finish(&g->s, g->m); /* the kernel's own failure: a status, not an error */
			continue;
		default:
			goto out;
		}
		g->m->start_s = util_now() - t;
		/* Stopped from here on except during its own calls: nothing it started while
		 * loading (a constructor's thread) runs while another member is timed. */
		if (hold(&g->s) != 0 || wire_latency(&g->s, &g->wire) != 0) {
			reap(&g->s);
			classify_death(&g->s, g->s.wstatus, "before its first call", g->m);
			finish(&g->s, g->m);
			continue;
		}
		g->standing = 1;
		for (int i = 0; i < NCHECKS; i++)
			if (checked_call(&g->s, checks[j][i], CHECK_FULL, o->timeout_s, scratch, &t,
					 &full, g->m) != 0) {
				drop(g);
				break;
			}
	}
	for (int i = 0; i < o->nshapes; i++) {
		time_group(gs, n, o, i, scratch, &order_g);
		for (int j = 0; j < n; j++) {
			struct member *g = &gs[j];
			struct shape_result *sr = &g->m->shapes[i];
			if (!g->standing)
				continue;
			g->m->nshapes = i + 1;
			g->m->cv = sr->cv > g->m->cv ? sr->cv : g->m->cv;
			/* A configured peak is a bound as given; a measured one gets its stated margin,
			 * and is measured again, now, before a figure is called a defect. */
			if (sr->gflops > g->m->peak_gflops * MEASURE_PEAK_MARGIN && o->peak_gflops <= 0)
				g->m->peak_gflops = machine_measured_peak(ncpus, 1, &g->m->peak_how);
			if (sr->gflops > g->m->peak_gflops * (o->peak_gflops > 0 ? 1 : MEASURE_PEAK_MARGIN)) {
				g->m->status = STATUS_REJECTED;
				snprintf(g->m->detail, sizeof g->m->detail,
					 "measured %.1f GFLOPS on %dx%dx%d, above this node's peak of %.1f "
					 "GFLOPS (%s)%s: a timing defect, not a reward",
					 sr->gflops, sr->s.m, sr->s.n, sr->s.k, g->m->peak_gflops,
					 g->m->peak_how, o->peak_gflops > 0 ? "" : " by more than 10%");
				drop(g);
			}
		}
	}
	for (int j = 0; j < n; j++) {
		struct measurement *m = gs[j].m;
		if (!gs[j].standing)
			continue;
		m->gflops = 1;
		for (int i = 0; i < o->nshapes; i++)
			m->gflops *= m->shapes[i].gflops;
		m->gflops = pow(m->gflops, 1.0 / o->nshapes);
		m->status = STATUS_OK;
	}
	rc = 0;
out:
	for (int j = 0; j < n; j++) {
		finish(&gs[j].s, gs[j].m);
		free(gs[j].s.x);
		free(gs[j].samples);
		verify_csprng_free(&gs[j].s.secret);
		verify_csprng_free(&gs[j].s.inputs);
	}
	if (lock >= 0)
		close(lock);
	if (order_ok)
		verify_csprng_free(&order_g);
	t = util_now() - t0;
	for (int j = 0; j < n; j++) {
		if (ms[j].status != STATUS_OK)
			ms[j].gflops = 0;
		/* The group's wall time, shared evenly: a shard's records still sum to it. */
		ms[j].seconds = t / n;
	}
	free(scratch);
	free(checks);
	free(gs);
	return rc;
}

int measure_group(const char *const *so_paths, int n, const struct measure_opts *o,
		  struct measurement *ms)
{
	/* Larger groups are split into even parts: each part holds all its sessions at once. */
	int parts = (n + MEASURE_MAX_GROUP - 1) / MEASURE_MAX_GROUP, done = 0;
	if (n < 1)
		return 0;
	for (int p = 0; p < parts; p++) {
		int size = (n - done) / (parts - p);
		if (measure_one_group(so_paths + done, size, o, ms + done) != 0)
			return -1;
		done += size;
	}
	return 0;
}

int measure_kernel(const char *so_path, const struct measure_opts *o, struct measurement *m)
{
	return measure_group(&so_path, 1, o, m);
}
