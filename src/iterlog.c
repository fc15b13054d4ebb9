/* iterlog.c - the iteration records: RUN/state/iterations.jsonl, durable and append-safe. */
#include "config.h"
#include "iterlog.h"
#include "status.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <time.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define ITERLOG_FILE "state/iterations.jsonl"
#define TAIL_MAX (1 << 20) /* records are a few hundred bytes: a longer tail is kept, unread */

static const char *const state_names[ITER__COUNT] = {
	[ITER_PENDING] = "PENDING",     [ITER_RUNNING] = "RUNNING",
	[ITER_COMPLETED] = "COMPLETED", [ITER_FAILED] = "FAILED",
	[ITER_CANCELLED] = "CANCELLED", [ITER_TIMEOUT] = "TIMEOUT",
	[ITER_NODE_FAIL] = "NODE_FAIL", [ITER_PREEMPTED] = "PREEMPTED",
	[ITER_REQUEUED] = "REQUEUED",
};

const char *iterlog_state_name(enum iter_state s)
{
	return (unsigned)s < ITER__COUNT ? state_names[s] : "UNKNOWN";
}

int iterlog_state_parse(const char *name)
{
	for (int i = 0; i < ITER__COUNT; i++)
		if (!strcasecmp(name, state_names[i]))
			return i;
	return -1;
}


void iterlog_record_init(struct iter_record *r, long iter)
{
	memset(r, 0, sizeof *r);
	r->iter = iter;
	r->state = ITER_PENDING;
	r->best_gflops = r->median_gflops = ITERLOG_UNKNOWN;
	r->coverage = r->qd_score = ITERLOG_UNKNOWN;
	r->rounds = 1;
	for (int k = 0; k < ITERLOG_ROUNDS_MAX; k++)
		r->round[k].best_gflops = r->round[k].median_gflops = ITERLOG_UNKNOWN;
}

int iterlog_round_dir(char *buf, size_t len, const char *iter_dir, int k, int rounds)
{
	int n = rounds <= 1 ? snprintf(buf, len, "%s", iter_dir)
			    : snprintf(buf, len, "%s/round-%02d", iter_dir, k);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* ---- JSON <-> struct ----------------------------------------------------------------------- */

/* An integer member in [lo, hi]; absent or null gives dflt. */
static int get_int(json_t *o, const char *key, long long lo, long long hi, long long dflt,
		   long long *out, char *err, size_t errlen)
{
	json_t *v = json_object_get(o, key);
	if (!v || json_is_null(v)) {
		*out = dflt;
		return 0;
	}
	if (!json_is_integer(v))
		return util_errf(err, errlen, "\"%s\" is not an integer", key);
	*out = json_integer_value(v);
	if (*out < lo || *out > hi)
		return util_errf(err, errlen, "\"%s\" is out of range (%lld)", key, *out);
	return 0;
}

/* A finite number member; absent or null gives dflt. */
static int get_num(json_t *o, const char *key, double dflt, double *out, char *err,
		   size_t errlen)
{
	json_t *v = json_object_get(o, key);
	if (!v || json_is_null(v)) {
		*out = dflt;
		return 0;
	}
	if (!json_is_number(v) || !isfinite(json_number_value(v)))
		return util_errf(err, errlen, "\"%s\" is not a number", key);
	*out = json_number_value(v);
	return 0;
}

/* "round_stats": [{round, samples, ok, ..., best_gflops, median_gflops, mean_reward, updated}]
 * (absent: none known). */
static int parse_rounds(json_t *a, struct iter_record *r, char *err, size_t errlen)
{
	static const struct {
		const char *key;
		size_t off;
	} counts[] = {
		{"samples", offsetof(struct iter_round, samples)},
		{"ok", offsetof(struct iter_round, ok)},
		{"rejected", offsetof(struct iter_round, rejected)},
		{"compile_error", offsetof(struct iter_round, compile_error)},
		{"timeout", offsetof(struct iter_round, timeout)},
		{"runtime_error", offsetof(struct iter_round, runtime_error)},
		{"wrong_answer", offsetof(struct iter_round, wrong_answer)},
	};
	json_t *o;
	size_t i;
	if (!a || json_is_null(a))
		return 0;
	if (!json_is_array(a))
		return util_errf(err, errlen, "\"round_stats\" is not an array");
	json_array_foreach(a, i, o) {
		long long k, v;
		struct iter_round *ro;
		if (!json_is_object(o))
			return util_errf(err, errlen, "\"round_stats\"[%zu] is not an object", i);
		if (get_int(o, "round", 1, r->rounds, 1, &k, err, errlen))
			return -1;
		ro = &r->round[k - 1];
		for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
			if (get_int(o, counts[c].key, 0, LONG_MAX, 0, &v, err, errlen))
				return -1;
			*(long *)((char *)ro + counts[c].off) = (long)v;
		}
		if (get_num(o, "best_gflops", ITERLOG_UNKNOWN, &ro->best_gflops, err, errlen) ||
		    get_num(o, "median_gflops", ITERLOG_UNKNOWN, &ro->median_gflops, err, errlen) ||
		    get_num(o, "mean_reward", 0.0, &ro->mean_reward, err, errlen))
			return -1;
		ro->updated = json_is_true(json_object_get(o, "updated"));
	}
	return 0;
}

/* The record exactly as the reader takes it; the writer validates with the same function. */
static int parse_record(json_t *o, struct iter_record *r, char *err, size_t errlen)
{
	static const struct {
		const char *key;
		size_t off;
	} counts[] = {
		{"samples", offsetof(struct iter_record, samples)},
		{"ok", offsetof(struct iter_record, ok)},
		{"rejected", offsetof(struct iter_record, rejected)},
		{"compile_error", offsetof(struct iter_record, compile_error)},
		{"timeout", offsetof(struct iter_record, timeout)},
		{"runtime_error", offsetof(struct iter_record, runtime_error)},
		{"wrong_answer", offsetof(struct iter_record, wrong_answer)},
	};
	static const struct {
		const char *key;
		size_t off;
		double dflt;
	} reals[] = {
		{"best_gflops", offsetof(struct iter_record, best_gflops), ITERLOG_UNKNOWN},
		{"median_gflops", offsetof(struct iter_record, median_gflops), ITERLOG_UNKNOWN},
		{"mean_reward", offsetof(struct iter_record, mean_reward), 0.0},
		{"coverage", offsetof(struct iter_record, coverage), ITERLOG_UNKNOWN},
		{"qd_score", offsetof(struct iter_record, qd_score), ITERLOG_UNKNOWN},
	};
	long long v = 0;
	json_t *iter, *state, *job;
	int st;

	if (!json_is_object(o))
		return util_errf(err, errlen, "not a JSON object");
	iter = json_object_get(o, "iter");
	if (!json_is_integer(iter) || json_integer_value(iter) < 0 ||
	    json_integer_value(iter) > LONG_MAX)
		return util_errf(err, errlen, "\"iter\" is missing or not an integer >= 0");
	iterlog_record_init(r, (long)json_integer_value(iter));

	state = json_object_get(o, "state");
	if (!json_is_string(state))
		return util_errf(err, errlen, "\"state\" is missing or not a string");
	if ((st = iterlog_state_parse(json_string_value(state))) < 0)
		return util_errf(err, errlen, "unknown state \"%s\"", json_string_value(state));
	r->state = (enum iter_state)st;

	job = json_object_get(o, "job_id");
	if (json_is_string(job)) {
		const char *s = json_string_value(job);
		if (strlen(s) >= sizeof r->job_id)
			return util_errf(err, errlen, "\"job_id\" is too long");
		for (const char *p = s; *p; p++)
			if ((unsigned char)*p < 0x20)
				return util_errf(err, errlen, "\"job_id\" has a control character");
		strcpy(r->job_id, s);
	} else if (json_is_integer(job) && json_integer_value(job) >= 0) {
		snprintf(r->job_id, sizeof r->job_id, "%lld", (long long)json_integer_value(job));
	} else if (job && !json_is_null(job)) {
		return util_errf(err, errlen, "\"job_id\" is not a string");
	}

	if (get_int(o, "stage", INT_MIN, INT_MAX, 0, &v, err, errlen))
		return -1;
	r->stage = (int)v;
	if (get_int(o, "submit", 0, INT64_MAX, 0, &v, err, errlen))
		return -1;
	r->submit = v;
	if (get_int(o, "start", 0, INT64_MAX, 0, &v, err, errlen))
		return -1;
	r->start = v;
	if (get_int(o, "end", 0, INT64_MAX, 0, &v, err, errlen))
		return -1;
	r->end = v;
	for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
		if (get_int(o, counts[i].key, 0, LONG_MAX, 0, &v, err, errlen))
			return -1;
		*(long *)((char *)r + counts[i].off) = (long)v;
	}
	for (size_t i = 0; i < sizeof reals / sizeof reals[0]; i++)
		if (get_num(o, reals[i].key, reals[i].dflt, (double *)((char *)r + reals[i].off),
			    err, errlen))
			return -1;
	if (get_int(o, "retries", 0, INT_MAX, 0, &v, err, errlen))
		return -1;
	r->retries = (int)v;
	if (get_int(o, "rounds", 1, ITERLOG_ROUNDS_MAX, 1, &v, err, errlen))
		return -1;
	r->rounds = (int)v;
	if (get_int(o, "rounds_done", 0, r->rounds, 0, &v, err, errlen))
		return -1;
	r->rounds_done = (int)v;
	return parse_rounds(json_object_get(o, "round_stats"), r, err, errlen);
}

static json_t *num_or_null(double v, int known)
{
	return known && isfinite(v) ? json_real(v) : json_null();
}

static json_t *time_or_null(int64_t t)
{
	return t > 0 ? json_integer(t) : json_null();
}

json_t *iterlog_record_json(const struct iter_record *r)
{
	json_t *j = json_pack("{s:I, s:s, s:s, s:i, s:o, s:o, s:o, s:I, s:I, s:I, s:I, s:I, s:I, s:I,"
			 " s:o, s:o, s:o, s:o, s:o, s:i}",
			 "iter", (json_int_t)r->iter, "job_id", r->job_id, "state",
			 iterlog_state_name(r->state), "stage", r->stage, "submit",
			 time_or_null(r->submit), "start", time_or_null(r->start), "end",
			 time_or_null(r->end), "samples", (json_int_t)r->samples, "ok",
			 (json_int_t)r->ok, "rejected", (json_int_t)r->rejected, "compile_error",
			 (json_int_t)r->compile_error, "timeout", (json_int_t)r->timeout,
			 "runtime_error", (json_int_t)r->runtime_error, "wrong_answer",
			 (json_int_t)r->wrong_answer, "best_gflops",
			 num_or_null(r->best_gflops, r->best_gflops >= 0), "median_gflops",
			 num_or_null(r->median_gflops, r->median_gflops >= 0), "mean_reward",
			 num_or_null(r->mean_reward, r->samples > 0), "coverage",
			 num_or_null(r->coverage, r->coverage >= 0), "qd_score",
			 num_or_null(r->qd_score, r->qd_score >= 0), "retries", r->retries);
	if (j)
		json_object_set_new(j, "rounds_done", json_integer(r->rounds_done));
	if (j && r->rounds > 1)
		json_object_set_new(j, "rounds", json_integer(r->rounds));
	if (j && r->rounds > 1 && (r->samples > 0 || r->rounds_done > 0)) {
		json_t *a = json_array();
		for (int k = 0; k < r->rounds && k < ITERLOG_ROUNDS_MAX; k++) {
			const struct iter_round *ro = &r->round[k];
			json_array_append_new(
				a, json_pack("{s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:o, s:b}",
					     "round", k + 1, "samples", (json_int_t)ro->samples, "ok",
					     (json_int_t)ro->ok, "rejected", (json_int_t)ro->rejected,
					     "compile_error", (json_int_t)ro->compile_error, "timeout",
					     (json_int_t)ro->timeout, "runtime_error",
					     (json_int_t)ro->runtime_error, "wrong_answer",
					     (json_int_t)ro->wrong_answer, "best_gflops",
					     num_or_null(ro->best_gflops, ro->best_gflops >= 0),
					     "median_gflops",
					     num_or_null(ro->median_gflops, ro->median_gflops >= 0),
					     "mean_reward", num_or_null(ro->mean_reward, ro->samples > 0),
					     "updated", ro->updated));
		}
		json_object_set_new(j, "round_stats", a);
	}
	return j;
}

/* ---- append ---------------------------------------------------------------------------- */

static int pread_all(int fd, char *buf, size_t len, off_t off)
{
	while (len) {
		ssize_t r = pread(fd, buf, len, off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == 0)
				errno = EIO;
			return -1;
		}
		buf += r;
		len -= (size_t)r;
		off += r;
	}
	return 0;
}

/* The file should end with '\n'. If a crash cut the last record short, cut the torn tail off
 * (like Redis's aof-load-truncated), so that the next record starts a line of its own; if the
 * tail is a whole record that only lacks its newline, keep it and ask for a leading '\n'. */
static int repair_tail(int fd, const char *path, off_t *size, int *need_nl, char *err,
		       size_t errlen)
{
	struct stat st;
	char c, *tail;
	off_t nl = -1, pos;
	json_t *j;
	struct iter_record r;
	size_t tail_len;
	int whole;

	*need_nl = 0;
	if (fstat(fd, &st) != 0)
		return util_errf(err, errlen, "%s: %s", path, strerror(errno));
	*size = st.st_size;
	if (st.st_size == 0)
		return 0;
	if (pread_all(fd, &c, 1, st.st_size - 1) != 0)
		return util_errf(err, errlen, "%s: %s", path, strerror(errno));
	if (c == '\n')
		return 0;
	/* Find the last newline, reading backwards in blocks. */
	for (pos = st.st_size; pos > 0 && nl < 0;) {
		char blk[4096];
		off_t from = pos > (off_t)sizeof blk ? pos - (off_t)sizeof blk : 0;
		if (pread_all(fd, blk, (size_t)(pos - from), from) != 0)
			return util_errf(err, errlen, "%s: %s", path, strerror(errno));
		for (off_t i = pos - from; i > 0 && nl < 0; i--)
			if (blk[i - 1] == '\n')
				nl = from + i - 1;
		pos = from;
	}
	if (st.st_size - (nl + 1) > TAIL_MAX) {
		/* Not one of ours: keep the bytes (the reader skips them), start a new line. */
		*need_nl = 1;
		return 0;
	}
	tail_len = (size_t)(st.st_size - (nl + 1));
	tail = util_xmalloc(tail_len);
	if (pread_all(fd, tail, tail_len, nl + 1) != 0) {
		free(tail);
		return util_errf(err, errlen, "%s: %s", path, strerror(errno));
	}
	j = json_loadb(tail, tail_len, 0, NULL);
	whole = j && parse_record(j, &r, NULL, 0) == 0;
	json_decref(j);
	free(tail);
	if (whole) {
		*need_nl = 1;
		return 0;
	}
	if (ftruncate(fd, nl + 1) != 0)
		return util_errf(err, errlen, "%s: cannot cut a torn last record: %s", path,
			    strerror(errno));
	util_info("perfrl: %s: dropped a torn last record (%lld bytes, an interrupted append)",
		  path, (long long)(st.st_size - (nl + 1)));
	*size = nl + 1;
	return 0;
}

int iterlog_append(const char *run_dir, json_t *rec, char *err, size_t errlen)
{
	char dir[PATH_MAX], path[PATH_MAX], why[200];
	struct iter_record r;
	struct stat st;
	char *line, *buf;
	size_t len;
	off_t size = 0;
	int fd, created, need_nl, rc = -1;

	if (parse_record(rec, &r, why, sizeof why) != 0)
		return util_errf(err, errlen, "invalid iteration record: %s", why);
	if (util_pathf(dir, sizeof dir, "%s/state", run_dir) != 0 ||
	    util_pathf(path, sizeof path, "%s/" ITERLOG_FILE, run_dir) != 0)
		return util_errf(err, errlen, "%s: path too long", run_dir);
	if (util_mkdirs(dir, 0755) != 0)
		return util_errf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
	line = json_dumps(rec, JSON_COMPACT); /* strings escape '\n': one line */
	if (!line)
		return util_errf(err, errlen, "cannot encode the record of iteration %ld", r.iter);

	created = stat(path, &st) != 0;
	fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		util_errf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		free(line);
		return -1;
	}
	if (repair_tail(fd, path, &size, &need_nl, err, errlen) != 0)
		goto out;
	buf = util_xasprintf("%s%s\n", need_nl ? "\n" : "", line);
	len = strlen(buf);
	/* One write() per record; a short one (a full disk) is finished or undone. */
	for (const char *p = buf; len;) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			util_errf(err, errlen, "cannot append to %s: %s", path,
			     w < 0 ? strerror(errno) : "short write");
			if (ftruncate(fd, size) != 0) {
				/* the reader and the next append skip the torn tail anyway */
			}
			free(buf);
			goto out;
		}
		p += w;
		len -= (size_t)w;
	}
	free(buf);
	if (fsync(fd) != 0) {
		util_errf(err, errlen, "cannot fsync %s: %s", path, strerror(errno));
		goto out;
	}
	if (created) { /* make the new directory entry durable too */
		int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			fsync(dfd);
			close(dfd);
		}
	}
	rc = 0;
out:
	if (close(fd) != 0 && rc == 0)
		rc = util_errf(err, errlen, "cannot close %s: %s", path, strerror(errno));
	free(line);
	return rc;
}

/* ---- load ------------------------------------------------------------------------------ */

struct seq_record {
	struct iter_record r;
	size_t seq; /* line order: the later line wins */
};

static int by_iter_then_seq(const void *a, const void *b)
{
	const struct seq_record *x = a, *y = b;
	if (x->r.iter != y->r.iter)
		return x->r.iter < y->r.iter ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int blank(const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
			return 0;
	return 1;
}

int iterlog_load(const char *run_dir, struct iter_record **out, size_t *n, char *err,
		 size_t errlen)
{
	char path[PATH_MAX], why[200];
	struct stat st;
	struct seq_record *all = NULL;
	size_t len, count = 0, cap = 0, lineno = 0, kept = 0;
	char *buf, *p, *end;

	*out = NULL;
	*n = 0;
	if (stat(run_dir, &st) != 0)
		return util_errf(err, errlen, "run directory %s: %s", run_dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return util_errf(err, errlen, "run directory %s: %s", run_dir, strerror(ENOTDIR));
	if (util_pathf(path, sizeof path, "%s/" ITERLOG_FILE, run_dir) != 0)
		return util_errf(err, errlen, "%s: path too long", run_dir);
	buf = util_read_file(path, 0, &len);
	if (!buf) {
		if (errno == ENOENT)
			return 0;
		return util_errf(err, errlen, "cannot read %s: %s", path, strerror(errno));
	}

	for (p = buf, end = buf + len; p < end;) {
		char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t ll = eol ? (size_t)(eol - p) : (size_t)(end - p);
		struct iter_record r;
		json_error_t jerr;
		json_t *j;

		lineno++;
		if (!blank(p, ll)) {
			j = json_loadb(p, ll, 0, &jerr);
			if (!j)
				snprintf(why, sizeof why, "%s", jerr.text);
			if (j && parse_record(j, &r, why, sizeof why) == 0) {
				if (count == cap) {
					cap = cap ? 2 * cap : 64;
					all = realloc(all, cap * sizeof *all);
					if (!all)
						abort();
				}
				all[count].r = r;
				all[count].seq = count;
				count++;
			} else if (!eol) {
				util_info("perfrl: %s:%zu: ignoring a torn last line (an interrupted "
					  "append)", path, lineno);
			} else {
				util_info("perfrl: %s:%zu: skipping an unreadable record: %s", path,
					  lineno, why);
			}
			json_decref(j);
		}
		p += ll + (eol != NULL);
	}
	free(buf);

	qsort(all, count, sizeof *all, by_iter_then_seq);
	if (count) {
		*out = util_xcalloc(count, sizeof **out);
		for (size_t i = 0; i < count; i++)
			if (i + 1 == count || all[i + 1].r.iter != all[i].r.iter)
				(*out)[kept++] = all[i].r;
	}
	free(all);
	*n = kept;
	return 0;
}

void iterlog_free(struct iter_record *recs)
{
	free(recs);
}

/* ---- summary of an iteration's bench records ------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int iterlog_summarise(json_t *results, struct iter_record *r)
{
	long *count[STATUS__COUNT] = {
		[STATUS_OK] = &r->ok,
		[STATUS_REJECTED] = &r->rejected,
		[STATUS_COMPILE_ERROR] = &r->compile_error,
		[STATUS_TIMEOUT] = &r->timeout,
		[STATUS_RUNTIME_ERROR] = &r->runtime_error,
		[STATUS_WRONG_ANSWER] = &r->wrong_answer,
	};
	double *g, sum = 0;
	size_t i, ng = 0;
	json_t *v;
	int bad = 0;

	r->samples = 0;
	for (int s = 0; s < STATUS__COUNT; s++)
		*count[s] = 0;
	r->best_gflops = r->median_gflops = ITERLOG_UNKNOWN;
	r->mean_reward = 0;
	if (!json_is_array(results))
		return -1;

	g = util_xcalloc(json_array_size(results), sizeof *g);
	json_array_foreach(results, i, v) {
		const char *name = json_string_value(json_object_get(v, "status"));
		json_t *reward = json_object_get(v, "reward"), *gf;
		int s;

		for (s = 0; name && s < STATUS__COUNT; s++)
			if (!strcmp(name, status_name((status_t)s)))
				break;
		if (!name || s == STATUS__COUNT || !json_is_number(reward) ||
		    !isfinite(json_number_value(reward))) {
			bad = 1;
			continue;
		}
		r->samples++;
		(*count[s])++;
		sum += json_number_value(reward);
		gf = json_object_get(v, "gflops");
		if (s == STATUS_OK && json_is_number(gf) && isfinite(json_number_value(gf)) &&
		    json_number_value(gf) >= 0)
			g[ng++] = json_number_value(gf);
	}
	if (ng) {
		qsort(g, ng, sizeof *g, cmp_double);
		r->best_gflops = g[ng - 1];
		r->median_gflops = ng % 2 ? g[ng / 2] : (g[ng / 2 - 1] + g[ng / 2]) / 2;
	}
	if (r->samples)
		r->mean_reward = sum / (double)r->samples;
	free(g);
	return bad ? -1 : 0;
}

void iterlog_stamp(const char *iter_dir, const char *event)
{
	char path[PATH_MAX + 32];
	struct timespec ts;
	FILE *f;
	snprintf(path, sizeof path, "%s/timeline.tsv", iter_dir);
	clock_gettime(CLOCK_REALTIME, &ts);
	if ((f = fopen(path, "a"))) {
		fprintf(f, "%s\t%lld.%09ld\n", event, (long long)ts.tv_sec, ts.tv_nsec);
		fclose(f);
	}
}

double iterlog_stamp_time(const char *iter_dir, const char *event)
{
	char path[PATH_MAX + 32], line[256];
	size_t elen = strlen(event);
	double last = 0;
	FILE *f;
	snprintf(path, sizeof path, "%s/timeline.tsv", iter_dir);
	if (!(f = fopen(path, "r")))
		return 0;
	while (fgets(line, sizeof line, f))
		if (!strncmp(line, event, elen) && line[elen] == '\t') {
			char *end;
			double t = strtod(line + elen + 1, &end);
			if (end != line + elen + 1 && t > last)
				last = t;
		}
	fclose(f);
	return last;
}

double iterlog_stamp_prefix(const char *iter_dir, const char *prefix, char *event, size_t len)
{
	char path[PATH_MAX + 32], line[256];
	size_t plen = strlen(prefix);
	double last = 0;
	FILE *f;
	if (len)
		event[0] = '\0';
	snprintf(path, sizeof path, "%s/timeline.tsv", iter_dir);
	if (!(f = fopen(path, "r")))
		return 0;
	while (fgets(line, sizeof line, f)) {
		char *tab = strchr(line, '\t'), *end;
		double t;
		if (!tab || strncmp(line, prefix, plen))
			continue;
		t = strtod(tab + 1, &end);
		if (end == tab + 1 || t < last)
			continue;
		last = t;
		snprintf(event, len, "%.*s", (int)(tab - line), line);
	}
	fclose(f);
	return last;
}
