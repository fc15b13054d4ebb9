/* slurm_client.c - submit, watch and cancel one RL iteration's heterogeneous job through libslurm. */
#include "slurm_client.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <slurm/slurm.h>
#include <slurm/slurm_errno.h>

/*
 * libslurm.so.38 (Slurm 22.05) exports the functions behind squeue's state and reason names but
 * slurm.h does not declare them; they return static strings. The library is tied to one Slurm
 * release anyway (its soname changes with each), so we declare them here rather than keep a copy
 * of Slurm's ~200 reason names.
 */
extern char *slurm_job_state_string(uint32_t inx);
extern char *slurm_job_reason_string(enum job_state_reason inx);
/* libslurm's parsed slurm.conf (type from slurm.h; the variable is exported, not declared). */
extern slurm_conf_t slurm_conf;

/* Job state flags from Slurm's slurm.h that mean "not over yet" (the IS_JOB_* macros are
 * private to Slurm). */
#define SC_STATE_NOT_DONE (JOB_COMPLETING | JOB_REQUEUE | JOB_REQUEUE_HOLD | JOB_REQUEUE_FED | \
			   JOB_SPECIAL_EXIT | JOB_CONFIGURING | JOB_RESIZING | JOB_STAGE_OUT)

#ifdef __SANITIZE_ADDRESS__
/*
 * libslurm 22.05 leaks the reply (a return_code_msg_t, 20 bytes) when slurmctld refuses a het
 * job submission: slurm_submit_batch_het_job never frees it. Tell LeakSanitizer (sanitizer
 * builds only); weak, so that a program with its own list wins.
 */
__attribute__((weak)) const char *__lsan_default_suppressions(void);
__attribute__((weak)) const char *__lsan_default_suppressions(void)
{
	return "leak:slurm_submit_batch_het_job\n";
}
#endif

/* ------------------------------------------------------------------ errors */

const char *sc_rc_name(int rc)
{
	switch (rc) {
	case SC_OK: return "ok";
	case SC_GONE: return "gone";
	case SC_UNREACHABLE: return "unreachable";
	case SC_BUSY: return "busy";
	default: return "error";
	}
}

static void seterr(char *err, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void seterr(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!err || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

/* The error code of a failed libslurm call: slurm_get_errno(), or errno when it is 0. */
static int last_errno(void)
{
	int e = slurm_get_errno();

	return e ? e : errno;
}

/*
 * Sort a libslurm error into an sc_rc. Communication and authentication failures are taken as
 * transient (slurmctld or munged restarting): SC_UNREACHABLE. A wrong munge key looks the same;
 * the message says which.
 */
static int classify(int e)
{
	switch (e) {
	case ESLURM_INVALID_JOB_ID:
		return SC_GONE;
	case SLURM_COMMUNICATIONS_CONNECTION_ERROR:
	case SLURM_COMMUNICATIONS_SEND_ERROR:
	case SLURM_COMMUNICATIONS_RECEIVE_ERROR:
	case SLURM_COMMUNICATIONS_SHUTDOWN_ERROR:
	case SLURM_COMMUNICATIONS_MISSING_SOCKET_ERROR:
	case SLURM_PROTOCOL_AUTHENTICATION_ERROR:
	case SLURMCTLD_COMMUNICATIONS_CONNECTION_ERROR:
	case SLURMCTLD_COMMUNICATIONS_SEND_ERROR:
	case SLURMCTLD_COMMUNICATIONS_RECEIVE_ERROR:
	case SLURMCTLD_COMMUNICATIONS_SHUTDOWN_ERROR:
	case SLURM_PROTOCOL_SOCKET_IMPL_ZERO_RECV_LENGTH:
	case SLURM_PROTOCOL_SOCKET_IMPL_NEGATIVE_RECV_LENGTH:
	case SLURM_PROTOCOL_SOCKET_IMPL_NOT_ALL_DATA_SENT:
	case ESLURM_PROTOCOL_INCOMPLETE_PACKET:
	case SLURM_PROTOCOL_SOCKET_IMPL_TIMEOUT:
	case SLURM_PROTOCOL_SOCKET_ZERO_BYTES_SENT:
	case ESLURM_IN_STANDBY_MODE:
	case ESLURM_IN_STANDBY_USE_BACKUP:
	case ESLURM_AUTH_CRED_INVALID:
	case ESLURM_AUTH_NET_ERROR:
	case ESLURM_AUTH_UNABLE_TO_SIGN:
	case ECONNREFUSED:
	case ECONNRESET:
	case ETIMEDOUT:
	case EHOSTUNREACH:
	case ENETUNREACH:
	case EPIPE:
		return SC_UNREACHABLE;
	case ESLURM_ERROR_ON_DESC_TO_RECORD_COPY: /* job queue full */
	case ESLURM_NODES_BUSY:                   /* job creation temporarily disabled */
	case EAGAIN:
		return SC_BUSY;
	default:
		return SC_ERR;
	}
}

/* Record what failed and return its class. */
static int fail(char *err, size_t len, const char *what, uint32_t id)
{
	int e = last_errno();
	int rc = classify(e);

	if (id)
		seterr(err, len, "%s %u: %s (slurm error %d, %s)", what, id, slurm_strerror(e), e,
		       sc_rc_name(rc));
	else
		seterr(err, len, "%s: %s (slurm error %d, %s)", what, slurm_strerror(e), e,
		       sc_rc_name(rc));
	return rc;
}

/* ------------------------------------------------------------------ setup */

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_done;

/* slurm_init reads slurm.conf ($SLURM_CONF, else /etc/slurm/slurm.conf) once per process; later
 * changes to the file or to SLURM_CONF are not seen. Without a readable config it prints
 * "fatal: Unable to process configuration file" and exits the process, so check first. */
static void do_init(void)
{
	slurm_init(NULL);
	init_done = 1;
}

static int ensure_init(char *err, size_t len)
{
	const char *conf = getenv("SLURM_CONF");

	if (init_done)
		return SC_OK;
	if (!conf || !*conf)
		conf = "/etc/slurm/slurm.conf";
	if (access(conf, R_OK) != 0) {
		seterr(err, len, "no Slurm configuration: %s: %s (set SLURM_CONF)", conf,
		       strerror(errno));
		return SC_ERR;
	}
	pthread_once(&init_once, do_init);
	return SC_OK;
}

/*
 * Ping the controllers (the primary, then the backups slurm.conf names) before a request. A
 * refused connection fails a ping at once, while slurm_load_job and slurm_kill_job2 retry it for
 * about two MessageTimeouts (18 s with MessageTimeout=10) before they give up: the ping makes
 * "unreachable" quick.
 */
static int reachable(char *err, size_t len)
{
	int dest, rc, first = 0, n = (int)slurm_conf.control_cnt;

	if (n < 1 || n > 10)
		n = 1;
	for (dest = 0; dest < n; dest++) {
		slurm_seterrno(0);
		rc = slurm_ping(dest);
		if (rc == SLURM_SUCCESS)
			return SC_OK;
		if (dest == 0)
			first = rc != SLURM_ERROR ? rc : last_errno();
	}
	slurm_seterrno(first);
	fail(err, len, "slurm_ping", 0);
	return SC_UNREACHABLE;
}

/* Every request starts here. */
static int begin(char *err, size_t len)
{
	if (ensure_init(err, len) != SC_OK)
		return SC_ERR;
	return reachable(err, len);
}

int sc_ping(char *err, size_t errlen)
{
	int rc = begin(err, errlen);

	if (rc == SC_OK)
		seterr(err, errlen, "%s", "");
	return rc;
}

/* ------------------------------------------------------------------ submit */

/*
 * The environment to send: spec's list without SLURM_* variables (but SLURM_CONF), plus
 * SLURM_CONF and PATH from ours when it lacks them. An orchestrator that runs inside a batch job
 * of its own would otherwise hand that job's SLURM_JOB_ID, SLURM_NTASKS, SLURM_MEM_PER_NODE ...
 * to the iteration's job, where srun reads them as its own options.
 */
static char **job_env(char *const *env, uint32_t *count)
{
	static const char *const inherit[] = {"SLURM_CONF", "PATH"};
	size_t given = 0, n = 0, i, k;
	char **out;

	while (env && env[given])
		given++;
	out = calloc(given + 3, sizeof *out);
	if (!out)
		return NULL;
	for (i = 0; i < given; i++)
		if (strncmp(env[i], "SLURM_", 6) != 0 || strncmp(env[i], "SLURM_CONF=", 11) == 0)
			out[n++] = env[i];
	for (k = 0; k < sizeof inherit / sizeof *inherit; k++) {
		size_t l = strlen(inherit[k]);
		int have = 0;

		for (i = 0; i < given; i++)
			if (strncmp(env[i], inherit[k], l) == 0 && env[i][l] == '=')
				have = 1;
		if (!have && getenv(inherit[k])) {
			/* a pointer into our environ: valid for the duration of the call */
			out[n++] = getenv(inherit[k]) - l - 1;
		}
	}
	*count = (uint32_t)n;
	return out;
}

/* --gres=gpu:1 becomes tres_per_node "gres:gpu:1", as sbatch 22.05 sends it. */
static char *gres_tres(const char *gres)
{
	char *s;

	if (!gres || !*gres)
		return NULL;
	if (strncmp(gres, "gres:", 5) == 0 || strncmp(gres, "gres/", 5) == 0)
		return strdup(gres);
	s = malloc(strlen(gres) + 6);
	if (s)
		sprintf(s, "gres:%s", gres);
	return s;
}

/* Components first..first+n-1 of s are to be submitted. */
static int check_spec(const struct sc_job_spec *s, int first, int n, char *err, size_t len)
{
	int k;

	if (!s->name || !*s->name)
		return seterr(err, len, "job spec: no name"), SC_ERR;
	if (!s->script || strncmp(s->script, "#!", 2) != 0)
		return seterr(err, len, "job spec: the script must start with #!"), SC_ERR;
	if (strstr(s->script, "\r\n"))
		return seterr(err, len, "job spec: the script has DOS line breaks"), SC_ERR;
	for (k = first; k < first + n; k++) {
		const struct sc_component *c = &s->comp[k];

		if (c->ntasks < 1 || c->nodes < 0 || c->ntasks_per_node < 0 || c->cpus_per_task < 0 ||
		    c->mem_mb < 0 || c->time_limit_min < 0)
			return seterr(err, len, "job spec: component %d: bad resource counts", k), SC_ERR;
		if (c->nodes > c->ntasks)
			return seterr(err, len, "job spec: component %d: more nodes than tasks", k), SC_ERR;
	}
	return SC_OK;
}

/* One job descriptor from one component; strings are borrowed (gres: *gres, freed by caller). */
static int fill_desc(job_desc_msg_t *d, const struct sc_job_spec *spec, const struct sc_component *c,
		     int batch, const char *cwd, char *host, char **env, uint32_t env_n, char **gres)
{
	int cpt = c->cpus_per_task > 0 ? c->cpus_per_task : 1;

	slurm_init_job_desc_msg(d);
	d->name = (char *)spec->name;
	d->comment = (char *)spec->comment;
	d->work_dir = (char *)(spec->workdir ? spec->workdir : cwd);
	d->alloc_node = host;
	d->alloc_sid = (uint32_t)getsid(0);
	d->user_id = getuid();
	d->group_id = getgid();
	/* Not requeued by Slurm: after a node failure a requeued job waits minutes (BeginTime)
	 * and reruns everything; the orchestrator instead measures only what is missing, in a
	 * follow-up job, at once. */
	d->requeue = 0;
	d->environment = env;
	d->env_size = env_n;
	d->partition = (char *)c->partition;
	d->account = (char *)c->account;
	d->qos = (char *)c->qos;
	*gres = gres_tres(c->gres);
	if (c->gres && *c->gres && !*gres)
		return -1;
	d->tres_per_node = *gres;
	d->num_tasks = (uint32_t)c->ntasks;
	d->min_cpus = (uint32_t)(c->ntasks * cpt);
	if (c->cpus_per_task > 0)
		d->cpus_per_task = (uint16_t)c->cpus_per_task;
	if (c->nodes > 0)
		d->min_nodes = d->max_nodes = (uint32_t)c->nodes;
	if (c->ntasks_per_node > 0)
		d->ntasks_per_node = (uint16_t)c->ntasks_per_node;
	if (c->mem_mb > 0)
		d->pn_min_memory = (uint64_t)c->mem_mb;
	if (c->time_limit_min > 0)
		d->time_limit = (uint32_t)c->time_limit_min;
	if (c->exclusive)
		d->shared = JOB_SHARED_NONE;
	if (batch) {
		/* The batch script runs in the first component only; its output goes there. */
		d->script = (char *)spec->script;
		d->std_out = (char *)spec->std_out;
	}
	return 0;
}

/* Submit components first..first+n-1 of spec: a het job when n > 1, a plain batch job when 1. */
static int submit(const struct sc_job_spec *spec, int first, int n, uint32_t *job_id, char *err,
		  size_t errlen)
{
	job_desc_msg_t desc[SC_NCOMP];
	char *gres[SC_NCOMP] = {NULL};
	char cwd[4096] = "", host[256];
	const char *what = n > 1 ? "slurm_submit_batch_het_job" : "slurm_submit_batch_job";
	submit_response_msg_t *resp = NULL;
	List list = NULL;
	char **env = NULL;
	uint32_t env_n = 0;
	int k, rc;

	*job_id = 0;
	if (check_spec(spec, first, n, err, errlen) != SC_OK)
		return SC_ERR;
	if ((rc = begin(err, errlen)) != SC_OK)
		return rc;
	rc = SC_ERR;
	if (!spec->workdir && !getcwd(cwd, sizeof cwd))
		return seterr(err, errlen, "getcwd: %s", strerror(errno)), SC_ERR;
	/* libslurm points alloc_node of each request at a hostname that it frees before it returns;
	 * setting it ourselves keeps the requests valid. */
	if (gethostname(host, sizeof host) != 0)
		snprintf(host, sizeof host, "localhost");
	host[sizeof host - 1] = '\0';
	host[strcspn(host, ".")] = '\0';
	env = job_env(spec->env, &env_n);
	if (n > 1)
		list = slurm_list_create(NULL); /* the descriptors are ours: the list frees nothing */
	if (!env || (n > 1 && !list)) {
		seterr(err, errlen, "out of memory");
		goto out;
	}
	for (k = 0; k < n; k++) {
		if (fill_desc(&desc[k], spec, &spec->comp[first + k], k == 0, cwd, host, env, env_n,
			      &gres[k]) != 0) {
			seterr(err, errlen, "out of memory");
			goto out;
		}
		if (list)
			slurm_list_append(list, &desc[k]);
	}

	slurm_seterrno(0);
	if ((list ? slurm_submit_batch_het_job(list, &resp) : slurm_submit_batch_job(&desc[0], &resp))
	    != SLURM_SUCCESS || !resp) {
		rc = fail(err, errlen, what, 0);
		goto out;
	}
	*job_id = resp->job_id;
	if (resp->error_code)
		seterr(err, errlen, "submitted with a warning: %s", slurm_strerror((int)resp->error_code));
	else if (resp->job_submit_user_msg)
		seterr(err, errlen, "%s", resp->job_submit_user_msg);
	else
		seterr(err, errlen, "%s", "");
	rc = SC_OK;
out:
	if (resp)
		slurm_free_submit_response_response_msg(resp);
	if (list)
		slurm_list_destroy(list);
	for (k = 0; k < SC_NCOMP; k++)
		free(gres[k]);
	free(env);
	return rc;
}

int sc_submit_het(const struct sc_job_spec *spec, uint32_t *het_job_id, char *err, size_t errlen)
{
	return submit(spec, 0, SC_NCOMP, het_job_id, err, errlen);
}

int sc_submit_one(const struct sc_job_spec *spec, int comp, uint32_t *job_id, char *err,
		  size_t errlen)
{
	if (comp < 0 || comp >= SC_NCOMP) {
		*job_id = 0;
		seterr(err, errlen, "job spec: no component %d", comp);
		return SC_ERR;
	}
	return submit(spec, comp, 1, job_id, err, errlen);
}

/* ------------------------------------------------------------------ query */

static void copy(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src ? src : "");
}

static void fill_comp(struct sc_comp_state *c, const slurm_job_info_t *j)
{
	const char *s;
	unsigned base = j->job_state & JOB_STATE_BASE;

	memset(c, 0, sizeof *c);
	c->job_id = j->job_id;
	c->offset = j->het_job_id ? j->het_job_offset : 0;
	c->base = base;
	s = slurm_job_state_string(j->job_state);
	copy(c->state, sizeof c->state, s ? s : "UNKNOWN");
	c->finished = base >= JOB_COMPLETE && base < JOB_END && !(j->job_state & SC_STATE_NOT_DONE);
	s = slurm_job_reason_string((enum job_state_reason)j->state_reason);
	copy(c->reason, sizeof c->reason, s ? s : "?");
	copy(c->reason_desc, sizeof c->reason_desc, j->state_desc);
	c->exit_code = -1;
	if (base != JOB_PENDING && j->exit_code != NO_VAL) {
		int st = (int)j->exit_code;

		if (WIFSIGNALED(st))
			c->exit_signal = WTERMSIG(st);
		else if (WIFEXITED(st))
			c->exit_code = WEXITSTATUS(st);
	}
	copy(c->nodes, sizeof c->nodes, base == JOB_PENDING ? NULL : j->nodes);
	copy(c->partition, sizeof c->partition, j->partition);
	c->submit_time = j->submit_time;
	/* For a pending job start_time is an estimate and end_time is an expected end: drop both. */
	if (base != JOB_PENDING)
		c->start_time = j->start_time;
	if (c->finished)
		c->end_time = j->end_time;
	c->restart_cnt = j->restart_cnt;
}

static void summarise(struct sc_job_state *o)
{
	int k, pending = 0, active = 0, completed = 0, all_zero = 1;
	const char *other = NULL;

	o->finished = o->ncomp > 0;
	for (k = 0; k < o->ncomp; k++) {
		const struct sc_comp_state *c = &o->comp[k];

		if (c->restart_cnt > o->restart_cnt)
			o->restart_cnt = c->restart_cnt;
		if (!c->finished)
			o->finished = 0;
		if (c->base == JOB_PENDING)
			pending++;
		else if (!c->finished)
			active++;
		else if (c->base == JOB_COMPLETE)
			completed++;
		else if (!other)
			other = c->state;
		if (c->exit_code != 0)
			all_zero = 0;
	}
	if (pending)
		copy(o->state, sizeof o->state, "PENDING");
	else if (active)
		copy(o->state, sizeof o->state, "RUNNING");
	else if (other)
		copy(o->state, sizeof o->state, other);
	else
		copy(o->state, sizeof o->state, "COMPLETED");
	o->ok = o->finished && completed == o->ncomp && all_zero;
}

int sc_query(uint32_t het_job_id, struct sc_job_state *out, char *err, size_t errlen)
{
	job_info_msg_t *msg = NULL;
	uint32_t i;
	int rc;

	memset(out, 0, sizeof *out);
	if ((rc = begin(err, errlen)) != SC_OK)
		return rc;
	slurm_seterrno(0);
	/* Asking for the leader returns every component of the het job. */
	if (slurm_load_job(&msg, het_job_id, SHOW_ALL) != SLURM_SUCCESS || !msg) {
		rc = fail(err, errlen, "slurm_load_job", het_job_id);
		if (msg)
			slurm_free_job_info_msg(msg);
		return rc;
	}
	out->het_job_id = het_job_id;
	for (i = 0; i < msg->record_count; i++) {
		const slurm_job_info_t *j = &msg->job_array[i];
		uint32_t off;

		if (j->het_job_id ? j->het_job_id != het_job_id : j->job_id != het_job_id)
			continue;
		off = j->het_job_id ? j->het_job_offset : 0;
		if (off >= SC_NCOMP)
			continue; /* more components than perfrl submits: not ours to judge */
		fill_comp(&out->comp[off], j);
		if ((int)off + 1 > out->ncomp)
			out->ncomp = (int)off + 1;
		if (off == 0) {
			copy(out->name, sizeof out->name, j->name);
			copy(out->comment, sizeof out->comment, j->comment);
		}
	}
	slurm_free_job_info_msg(msg);
	if (out->ncomp == 0) {
		seterr(err, errlen, "slurm_load_job %u: no record of that job", het_job_id);
		memset(out, 0, sizeof *out);
		return SC_GONE;
	}
	summarise(out);
	seterr(err, errlen, "%s", "");
	return SC_OK;
}

/* ------------------------------------------------------------------ cancel */

static int kill_id(const char *id, uint32_t num, int sig, char *err, size_t errlen)
{
	int e, rc;

	if ((rc = begin(err, errlen)) != SC_OK)
		return rc;
	slurm_seterrno(0);
	if (slurm_kill_job2(id, (uint16_t)sig, 0, NULL) == SLURM_SUCCESS) {
		seterr(err, errlen, "%s", "");
		return SC_OK;
	}
	e = last_errno();
	if (e == ESLURM_ALREADY_DONE) {
		seterr(err, errlen, "job %s had already ended", id);
		return SC_OK;
	}
	return fail(err, errlen, "slurm_kill_job2", num);
}

int sc_cancel(uint32_t het_job_id, char *err, size_t errlen)
{
	char id[32];

	snprintf(id, sizeof id, "%u", het_job_id);
	return kill_id(id, het_job_id, SIGKILL, err, errlen);
}

int sc_cancel_component(uint32_t het_job_id, unsigned offset, int sig, char *err, size_t errlen)
{
	char id[48];

	if (sig <= 0 || sig >= 65)
		return seterr(err, errlen, "bad signal %d", sig), SC_ERR;
	snprintf(id, sizeof id, "%u+%u", het_job_id, offset);
	return kill_id(id, het_job_id, sig, err, errlen);
}

/* ------------------------------------------------------------------ find */

static int newest_first(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? 1 : x > y ? -1 : 0;
}

int sc_find_by_name(const char *name, uint32_t *ids, size_t max, char *err, size_t errlen)
{
	job_info_msg_t *msg = NULL;
	uint32_t i, *all;
	size_t n = 0;
	int rc;

	if ((rc = begin(err, errlen)) != SC_OK)
		return rc;
	slurm_seterrno(0);
	if (slurm_load_job_user(&msg, getuid(), SHOW_ALL) != SLURM_SUCCESS || !msg) {
		rc = fail(err, errlen, "slurm_load_job_user", 0);
		if (msg)
			slurm_free_job_info_msg(msg);
		return rc;
	}
	all = calloc(msg->record_count + 1, sizeof *all);
	if (!all) {
		slurm_free_job_info_msg(msg);
		seterr(err, errlen, "out of memory");
		return SC_ERR;
	}
	for (i = 0; i < msg->record_count; i++) {
		const slurm_job_info_t *j = &msg->job_array[i];

		if (!j->name || strcmp(j->name, name) != 0)
			continue;
		if (j->het_job_id && j->het_job_id != j->job_id)
			continue; /* a component other than the leader */
		all[n++] = j->job_id;
	}
	slurm_free_job_info_msg(msg);
	qsort(all, n, sizeof *all, newest_first);
	for (i = 0; i < n && i < max; i++)
		ids[i] = all[i];
	free(all);
	seterr(err, errlen, "%s", "");
	return n > 0x7fffffff ? 0x7fffffff : (int)n;
}
