/* cmd_bench.c - `perfrl bench`: evaluate kernels or completions, print or write records. */
#include "config.h"
#include "baseline.h"
#include "build.h"
#include "pipeline.h"
#include "catalogue.h"
#include "commands.h"
#include "extract.h"
#include "jsonl.h"
#include "table.h"
#include "machine.h"
#include "measure.h"
#include "policy.h"
#include "record.h"
#include "reward.h"
#include "techniques.h"
#include "util.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define COMPLETION_MAX (4 << 20) /* a completion with a long <think> is still bounded */

#define BENCH_DEFAULT_FORMAT "File,Status,GFLOPS,CV,Reward,Detail"

static const char bench_usage[] =
	"usage: perfrl bench [OPTIONS] FILE...          evaluate C files or completions ('-': stdin)\n"
	"       perfrl bench [OPTIONS] --completions FILE --out FILE   the CPU step's batch form\n"
	"\n"
	"Builds each kernel in a sandbox, checks it on several shapes with fresh random inputs,\n"
	"times it on this task's cores (a group's kernels interleaved, nothing else) and reports\n"
	"the median GFLOPS, CV, status and reward.\n"
	"\n"
	"  -j, --json              one JSON record per input and line (default: a table)\n"
	"      --format LIST       the table's fields, each Name[%WIDTH] (WIDTH > 0\n"
	"                          right-justifies, < 0 left-justifies); names match by\n"
	"                          unique prefix, any case (default: " BENCH_DEFAULT_FORMAT ")\n"
	"      --helpformat        list the fields\n"
	"  -p, --parsable          the delimiter after every field, the last one included\n"
	"  -P, --parsable2         the delimiter between fields, not after the last one\n"
	"      --delimiter STR     with -p or -P: the delimiter (default '|')\n"
	"  -n, --noheader          the table without its header\n"
	"  -s, --shape MxNxK       a measured shape (repeatable; default 512x512x512)\n"
	"      --completions FILE  JSONL of {sample_id, completion[, problem_id, shape]}\n"
	"      --prompts FILE      with --completions: the iteration's prompts.jsonl; each\n"
	"                          sample's shape and permitted/required techniques come\n"
	"                          from its problem (compliance: see perfrl-bench(1))\n"
	"      --catalogue FILE    techniques defined by stages.lua (JSON, from perfrl run)\n"
	"      --openblas          no inputs: time OpenBLAS on each shape (the baseline), on\n"
	"                          its fastest verified core (OPENBLAS_CORETYPE overrides)\n"
	"      --blis, --mkl       no inputs: time BLIS (libblis), or MKL when installed\n"
	"      --permit LIST       with FILEs: the permitted techniques (a+b+c; 'none')\n"
	"      --require LIST      with FILEs: the required techniques\n"
	"  -o, --out FILE          with --completions: results JSONL, written atomically;\n"
	"                          %t in FILE becomes the shard index\n"
	"      --shard K/N         take samples K, K+N, K+2N, ... (default: SLURM_PROCID/SLURM_NTASKS)\n"
	"      --wait SECONDS      with --completions: wait this long for the file to appear\n"
	"                          (the CPU step starts with the GPU step that writes it)\n"
	"      --budget SECONDS    timing budget per shape (default 2)\n"
	"      --timeout SECONDS   limit per call, and x6 the compiler's CPU time (default 10)\n"
	"      --cv PERCENT        stop repeating at this CV (default 1)\n"
	"      --min-reps N        timed calls at least (default 5)\n"
	"      --threads N         OMP_NUM_THREADS (default: the CPUs this task may use)\n"
	"      --reward MODE       gflops (default), log (log2(1+GFLOPS)), or ratio (to a\n"
	"                          reference kernel measured on the same node)\n"
	"      --peak GFLOPS       this node's peak (default: detected); above it is a defect\n"
	"      --mem-limit MIB     address-space limit of a kernel (default 4096)\n"
	"      --cc CC             kernel compiler (default " PERFRL_KERNEL_CC ")\n"
	"      --cflags FLAGS      kernel flags (default \"" BUILD_DEFAULT_CFLAGS "\")\n"
	"      --cache-dir DIR     build cache (default $PERFRL_CACHE_DIR or ~/.cache/perfrl)\n"
	"      --no-cache          rebuild even when the cache has the kernel\n"
	"      --lock PATH         node-wide timing lock (default /tmp/perfrl-timing.lock)\n"
	"      --no-lock           time without taking the lock\n"
	"      --interleave        time a group's kernels call by call in turn (default): a\n"
	"                          problem's samples, or all FILEs, so that the host's\n"
	"                          phases fall on all of them alike\n"
	"      --no-interleave     time each kernel alone, one after another\n"
	"      --seed N            seed of the input generator (default: random)\n"
	"  -q, --quiet             no progress on stderr\n"
	"  -h, --help              this text\n"
	"\n"
	"Exit status: 0 when every input was evaluated, whatever its status; 1 when the\n"
	"evaluation itself failed; 2 for usage errors. See perfrl-bench(1).\n";

struct bench {
	struct pipeline pl;     /* the path of a completion to its record (pipeline.h) */
	json_t *problems;       /* --prompts: problem_id -> {shape, permitted, required} */
	struct constraint files_con; /* --permit/--require for FILEs */
	int files_constrained;
	unsigned libraries;     /* --openblas/--blis/--mkl: 1 << baseline_lib, instead of inputs */
	int json;
	struct table table; /* without --json */
	int shapes_given;
};

/* 0, or -1 for a shape shape_parse refuses. */
static int parse_shape(const char *s, struct shape *out)
{
	return shape_parse(s, out) ? -1 : 0;
}

static int parse_double(const char *s, double lo, double hi, double *out)
{
	char *end;
	double v;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= lo && v <= hi))
		return -1;
	*out = v;
	return 0;
}

/* ---- the table -------------------------------------------------------------------------- */

/* Each field prints one cell of a bench record (a json_t). */
static void p_string(const void *row, const char *key, char *buf, size_t len)
{
	snprintf(buf, len, "%s", json_string_value(json_object_get(row, key)) ?: "-");
}

static void p_file(const void *row, const void *ctx, char *buf, size_t len)
{
	(void)ctx;
	p_string(row, "file", buf, len);
}

static void p_status(const void *row, const void *ctx, char *buf, size_t len)
{
	(void)ctx;
	p_string(row, "status", buf, len);
}

static void p_shape(const void *row, const void *ctx, char *buf, size_t len)
{
	(void)ctx;
	p_string(row, "shape", buf, len);
}

static void p_detail(const void *row, const void *ctx, char *buf, size_t len)
{
	(void)ctx;
	snprintf(buf, len, "%s", json_string_value(json_object_get(row, "detail")) ?: "");
}

static void p_gflops(const void *row, const void *ctx, char *buf, size_t len)
{
	json_t *g = json_object_get(row, "gflops");
	(void)ctx;
	snprintf(buf, len, json_is_real(g) ? "%.2f" : "-", json_real_value(g));
}

static void p_cv(const void *row, const void *ctx, char *buf, size_t len)
{
	json_t *cv = json_object_get(row, "cv");
	(void)ctx;
	snprintf(buf, len, json_is_real(cv) ? "%.1f%%" : "-", json_real_value(cv) * 100);
}

static void p_reward(const void *row, const void *ctx, char *buf, size_t len)
{
	(void)ctx;
	snprintf(buf, len, "%.2f", json_real_value(json_object_get(row, "reward")));
}

/* Detail is the reason for a status: never cut (rows are printed as they are measured, so
 * its column cannot widen to the longest). */
static const struct table_field bench_fields[] = {
	{"File", -28, p_file, 0},
	{"Status", -13, p_status, 0},
	{"GFLOPS", 9, p_gflops, 0},
	{"CV", 6, p_cv, 0},
	{"Reward", 9, p_reward, 0},
	{"Detail", -30, p_detail, TABLE_NOCUT},
	{"Shape", -14, p_shape, 0},
};

static void emit(struct bench *b, json_t *r)
{
	if (b->json) {
		char *s = json_dumps(r, JSON_COMPACT);
		printf("%s\n", s);
		free(s);
		fflush(stdout);
	} else {
		table_row(&b->table, r);
		fflush(stdout);
	}
}


/* ---- files -------------------------------------------------------------------------------- */

static int bench_files(struct bench *b, int n, char **files)
{
	char **texts = util_xcalloc((size_t)n, sizeof *texts);
	size_t *lens = util_xcalloc((size_t)n, sizeof *lens);
	struct pipeline_item *es = NULL;
	int rc = 0;

	/* Read everything first: a missing file is a usage error before anything is measured. */
	for (int i = 0; i < n; i++) {
		texts[i] = util_read_file(files[i], COMPLETION_MAX, &lens[i]);
		if (!texts[i]) {
			fprintf(stderr, "perfrl bench: %s: %s\n", files[i],
				errno == EFBIG ? "larger than 4 MiB" : strerror(errno));
			rc = 2;
			goto out;
		}
	}
	if (pipeline_reference(&b->pl) != 0) {
		rc = 1;
		goto out;
	}
	{
		const struct constraint **cons = util_xcalloc((size_t)n + 1, sizeof *cons);
		for (int i = 0; i < n; i++)
			cons[i] = b->files_constrained ? &b->files_con : NULL;
		(void)pipeline_prebuild(&b->pl, (const char *const *)texts, cons, n, machine_cpus());
		free(cons);
	}
	if (!b->json)
		table_header(&b->table);
	/* --interleave: all FILEs are one group (they share the shapes); else one at a time. */
	es = util_xcalloc((size_t)n, sizeof *es);
	for (int lo = 0, hi; lo < n; lo = hi) {
		hi = b->pl.interleave ? n : lo + 1;
		for (int i = lo; i < hi; i++) {
			util_info("[%d/%d] %s", i + 1, n, files[i]);
			if (pipeline_prepare(&b->pl, texts[i], lens[i], files[i], NULL, NULL, &b->pl.measure,
				    b->files_constrained ? &b->files_con : NULL, &es[i]) != 0) {
				rc = 1;
				goto out;
			}
		}
		if (hi - lo > 1)
			util_info("timing %d kernels interleaved", hi - lo);
		if (pipeline_time(&b->pl, es + lo, hi - lo, &b->pl.measure) != 0) {
			rc = 1;
			goto out;
		}
		for (int i = lo; i < hi; i++) {
			json_t *r = pipeline_conclude(&b->pl, &es[i]);
			emit(b, r);
			json_decref(r);
		}
	}
out:
	for (int i = 0; i < n; i++)
		free(texts[i]);
	free(texts);
	free(lens);
	free(es);
	return rc;
}

/* ---- completions (the CPU step) ------------------------------------------------------------ */

struct sample {
	json_t *obj;            /* the input line */
	json_t *result;         /* its record, once measured */
	struct measure_opts mo; /* its shapes */
	struct constraint con;  /* with --prompts */
};

/* --prompts: every problem's shape and techniques, by problem_id. 0, or 2 (reported). */
static int load_prompts(struct bench *b, const char *path)
{
	size_t len;
	char *text = util_read_file(path, 0, &len), *line, *save = NULL, err[200];
	int lineno = 0;

	if (!text)
		return util_usage_error("cannot read prompts %s: %s", path, strerror(errno));
	b->problems = json_object();
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		json_t *o = json_loads(line, 0, NULL), *id;
		const char *shape;
		techset_t perm = 0, req = 0;
		struct shape one;
		char *key;
		lineno++;
		id = json_object_get(o, "problem_id");
		shape = json_string_value(json_object_get(o, "shape"));
		if (!id || !shape || parse_shape(shape, &one) != 0) {
			snprintf(err, sizeof err, "want a JSON object with problem_id and shape \"MxNxK\"");
		} else if (techset_from_json(b->pl.cat, json_object_get(o, "permitted"), &perm, err,
					     sizeof err) == 0 &&
			   techset_from_json(b->pl.cat, json_object_get(o, "required"), &req, err,
					     sizeof err) == 0) {
			key = jsonl_id_key(id);
			json_object_set_new(b->problems, key,
					    json_pack("{s:s, s:I, s:I}", "shape", shape, "permitted",
						      (json_int_t)(perm | req), "required", (json_int_t)req));
			free(key);
			json_decref(o);
			continue;
		}
		json_decref(o);
		free(text);
		return util_usage_error("%s:%d: %s", path, lineno, err);
	}
	free(text);
	return 0;
}

/* A sample's problem from --prompts: its shape (unless -s was given) and its constraint. */
static void apply_problem(const struct bench *b, json_t *obj, struct sample *s)
{
	char *key = jsonl_id_key(json_object_get(obj, "problem_id"));
	json_t *p = key ? json_object_get(b->problems, key) : NULL;
	free(key);
	if (!p) {
		s->con.error = "its problem_id is not in the iteration's prompts";
		return;
	}
	s->con.permitted = (techset_t)json_integer_value(json_object_get(p, "permitted"));
	s->con.required = (techset_t)json_integer_value(json_object_get(p, "required"));
	if (!b->shapes_given) {
		struct shape one;
		if (parse_shape(json_string_value(json_object_get(p, "shape")), &one) == 0) {
			s->mo.shapes[0] = one;
			s->mo.nshapes = 1;
		}
	}
}

static int load_completions(struct bench *b, const char *path, struct sample **out, int *count)
{
	size_t len;
	char *text = util_read_file(path, 0, &len), *line, *save = NULL;
	int n = 0, cap = 64, lineno = 0;
	struct sample *s;

	if (!text)
		return util_usage_error("cannot read completions: %s", strerror(errno));
	s = util_xcalloc((size_t)cap, sizeof *s);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		json_error_t je;
		json_t *o, *sh;
		lineno++;
		if (strspn(line, " \t\r") == strlen(line))
			continue;
		o = json_loads(line, JSON_ALLOW_NUL, &je);
		if (!o || !json_is_object(o) || !json_is_string(json_object_get(o, "completion")) ||
		    !json_object_get(o, "sample_id")) {
			fprintf(stderr,
				"perfrl bench: %s:%d: %s (each line must be a JSON object with "
				"\"sample_id\" and a string \"completion\")\n",
				path, lineno, o ? "missing fields" : je.text);
			json_decref(o);
			goto fail;
		}
		if (n == cap) {
			cap *= 2;
			s = realloc(s, (size_t)cap * sizeof *s);
			if (!s)
				abort();
		}
		memset(&s[n], 0, sizeof s[n]);
		s[n].obj = o;
		s[n].mo = b->pl.measure;
		sh = json_object_get(o, "shape");
		if (sh && !b->shapes_given) {
			struct shape one;
			if (!json_is_string(sh) || parse_shape(json_string_value(sh), &one) != 0) {
				fprintf(stderr, "perfrl bench: %s:%d: bad \"shape\" (want \"MxNxK\")\n",
					path, lineno);
				n++;
				goto fail;
			}
			s[n].mo.shapes[0] = one;
			s[n].mo.nshapes = 1;
		}
		if (b->problems)
			apply_problem(b, o, &s[n]);
		n++;
	}
	free(text);
	*out = s;
	*count = n;
	return 0;
fail:
	for (int i = 0; i < n; i++)
		json_decref(s[i].obj);
	free(s);
	free(text);
	return 2;
}

static int parse_shard(const char *s, int *k, int *n)
{
	char *end;
	long a = strtol(s, &end, 10), c;
	if (end == s || *end != '/')
		return -1;
	c = strtol(end + 1, &end, 10);
	if (*end || c < 1 || a < 0 || a >= c || c > 100000)
		return -1;
	*k = (int)a;
	*n = (int)c;
	return 0;
}

/* Expand %t to the shard index, as Slurm's filename patterns do. */
static char *out_path(const char *pattern, int shard)
{
	char *p = util_xmalloc(strlen(pattern) + 32), *q = p;
	for (const char *s = pattern; *s; s++) {
		if (s[0] == '%' && s[1] == 't') {
			q += sprintf(q, "%d", shard);
			s++;
		} else {
			*q++ = *s;
		}
	}
	*q = '\0';
	return p;
}

/* Resume: records already measured by an earlier run of this shard are kept, not redone. */
static int load_partial(const char *path, struct sample *s, int n)
{
	json_t *done = json_object();
	int reused = 0;
	if (jsonl_read_by_id(path, done) > 0)
		for (int i = 0; i < n; i++) {
			char *key = jsonl_id_key(json_object_get(s[i].obj, "sample_id"));
			json_t *r = json_object_get(done, key);
			if (r && !s[i].result) {
				s[i].result = json_incref(r);
				reused++;
			}
			free(key);
		}
	json_decref(done);
	return reused;
}

/* Which samples are timed together: the same problem, and the same shapes. */
static char *group_key(const struct sample *s)
{
	char *id = jsonl_id_key(json_object_get(s->obj, "problem_id")), *key, shapes[256];
	size_t used = 0;
	shapes[0] = '\0';
	for (int i = 0; i < s->mo.nshapes && used < sizeof shapes; i++)
		used += (size_t)snprintf(shapes + used, sizeof shapes - used, "%dx%dx%d,",
					 s->mo.shapes[i].m, s->mo.shapes[i].n, s->mo.shapes[i].k);
	key = util_xasprintf("%s|%s", shapes, id ? id : "");
	free(id);
	return key;
}

/* Journal a final record at once: a killed task loses nothing measured. */
static void journal(FILE *pf, struct sample *sm, int done, int n)
{
	char *line = json_dumps(sm->result, JSON_COMPACT), *id;
	fprintf(pf, "%s\n", line);
	fflush(pf);
	fsync(fileno(pf));
	free(line);
	id = jsonl_id_key(json_object_get(sm->obj, "sample_id"));
	util_info("[%d/%d] sample %s: %s %.2f GFLOPS", done, n, id,
		  json_string_value(json_object_get(sm->result, "status")),
		  json_real_value(json_object_get(sm->result, "gflops")));
	free(id);
}

/*
 * The samples s[grp[0..k)] (one group): built, then timed together; each record journalled
 * as soon as it is final (what was not built, before the group's timing). 0 with every
 * sample's result set, or -1 (reported).
 */
static int measure_samples(struct bench *b, struct sample *s, const int *grp, int k,
			   struct pipeline_item *es, FILE *pf, int *done, int n)
{
	int rc = 0;
	for (int g = 0; g < k && rc == 0; g++) {
		struct sample *sm = &s[grp[g]];
		const char *text = json_string_value(json_object_get(sm->obj, "completion"));
		rc = pipeline_prepare(&b->pl, text, strlen(text), NULL, json_object_get(sm->obj, "sample_id"),
			     json_object_get(sm->obj, "problem_id"), &sm->mo,
			     b->problems ? &sm->con : NULL, &es[g]);
		if (rc == 0 && !es[g].timed) {
			sm->result = pipeline_conclude(&b->pl, &es[g]);
			journal(pf, sm, ++*done, n);
		}
	}
	if (rc == 0 && k > 1)
		util_info("timing a group of %d samples interleaved", k);
	if (rc == 0 && (rc = pipeline_time(&b->pl, es, k, &s[grp[0]].mo)) == 0)
		for (int g = 0; g < k; g++) {
			struct sample *sm = &s[grp[g]];
			if (!es[g].timed)
				continue;
			sm->result = pipeline_conclude(&b->pl, &es[g]);
			journal(pf, sm, ++*done, n);
		}
	return rc == 0 ? 0 : -1;
}

static int bench_completions(struct bench *b, const char *path, const char *out_pattern,
			     const char *shard_arg)
{
	struct sample *s = NULL;
	int n = 0, k = 0, nshards = 1, rc, mine = 0, done = 0, reused, *grp = NULL;
	struct pipeline_item *es = NULL;
	char *out, *partial, **keys = NULL;
	FILE *pf;
	const char *pid = getenv("SLURM_PROCID"), *ntasks = getenv("SLURM_NTASKS");

	if (shard_arg) {
		if (parse_shard(shard_arg, &k, &nshards) != 0)
			return util_usage_error("bad --shard '%s' (want K/N with 0 <= K < N)", shard_arg);
	} else if (pid && ntasks) {
		char buf[64];
		snprintf(buf, sizeof buf, "%s/%s", pid, ntasks);
		if (parse_shard(buf, &k, &nshards) != 0)
			return util_usage_error("bad SLURM_PROCID/SLURM_NTASKS '%s'", buf);
	}
	if ((rc = load_completions(b, path, &s, &n)) != 0)
		return rc;
	out = out_path(out_pattern, k);
	partial = util_xasprintf("%s.partial", out);

	/* Keep only this shard's samples, in input order. */
	for (int i = 0; i < n; i++) {
		if (i % nshards == k)
			s[mine++] = s[i];
		else
			json_decref(s[i].obj);
	}
	n = mine;
	reused = load_partial(partial, s, n);
	util_info("shard %d/%d: %d samples, %d already measured", k, nshards, n, reused);
	rc = 1;
	if (pipeline_reference(&b->pl) != 0)
		goto out;
	{
		const char **texts = util_xcalloc((size_t)n + 1, sizeof *texts);
		const struct constraint **cons = util_xcalloc((size_t)n + 1, sizeof *cons);
		for (int i = 0; i < n; i++) {
			texts[i] = s[i].result ? NULL
					       : json_string_value(json_object_get(s[i].obj, "completion"));
			cons[i] = b->problems ? &s[i].con : NULL;
		}
		(void)pipeline_prebuild(&b->pl, texts, cons, n, machine_cpus());
		free(texts);
		free(cons);
	}

	pf = fopen(partial, "a");
	if (!pf) {
		util_error("cannot write %s: %s", partial, strerror(errno));
		goto out;
	}
	/* A group: the samples of one problem with the same shapes, timed together. */
	grp = util_xcalloc((size_t)n + 1, sizeof *grp);
	es = util_xcalloc((size_t)n + 1, sizeof *es);
	keys = util_xcalloc((size_t)n + 1, sizeof *keys);
	for (int i = 0; i < n; i++)
		keys[i] = group_key(&s[i]);
	done = reused;
	for (int i = 0; i < n; i++) {
		int size = 0;
		if (s[i].result)
			continue; /* resumed, or timed in an earlier group */
		for (int j = i; j < n; j++)
			if (!s[j].result && (j == i || (b->pl.interleave && strcmp(keys[i], keys[j]) == 0)))
				grp[size++] = j;
		if (measure_samples(b, s, grp, size, es, pf, &done, n) != 0) {
			fclose(pf);
			goto out;
		}
	}
	fclose(pf);
	{
		json_t *all = json_array();
		for (int i = 0; i < n; i++)
			json_array_append(all, s[i].result);
		if (jsonl_write(out, all) != 0) {
			util_error("cannot write %s: %s", out, strerror(errno));
			json_decref(all);
			goto out;
		}
		json_decref(all);
	}
	unlink(partial);
	util_info("wrote %d records to %s", n, out);
	rc = 0;
out:
	for (int i = 0; i < n; i++) {
		json_decref(s[i].obj);
		json_decref(s[i].result);
	}
	free(s);
	for (int i = 0; keys && i < n; i++)
		free(keys[i]);
	free(keys);
	free(grp);
	free(es);
	free(out);
	free(partial);
	return rc;
}

static int bench_main(struct bench *b, int argc, char **argv, const char *completions,
		      const char *out, const char *shard, const char *prompts,
		      const char *catalogue, const char *permit, const char *require, double wait_s);

/* --openblas, --blis, --mkl: the libraries on each shape, as records of their own ("kernel":
 * the library), each naming the kernels that ran ("core") and the library's version. */
static int bench_libraries(const struct bench *b)
{
	int threads = b->pl.measure.threads > 0 ? b->pl.measure.threads : machine_cpus();
	for (int i = 0; i < b->pl.measure.nshapes; i++)
		for (int lib = BASELINE_OPENBLAS; lib <= BASELINE_MKL; lib++) {
			const struct shape *sh = &b->pl.measure.shapes[i];
			struct baseline_result r;
			json_t *rec;
			if (!(b->libraries & (1u << lib)))
				continue;
			if (baseline_library((enum baseline_lib)lib, sh, threads, b->pl.measure.budget_s, &r) != 0)
				return util_error("%s on %dx%dx%d: %s", r.library, sh->m, sh->n, sh->k,
						  strerror(errno)), 1;
			if (!b->json) {
				if (r.available)
					printf("%s %dx%dx%d: %.2f GFLOPS (%s core %s, %d threads, %s)\n", r.library,
					       sh->m, sh->n, sh->k, r.gflops, r.core_how, r.core, threads,
					       util_hostname());
				else
					printf("%s %dx%dx%d: none (%s)\n", r.library, sh->m, sh->n, sh->k, r.detail);
				continue;
			}
			rec = json_pack("{s:s, s:o, s:o, s:i, s:s}", "kernel", r.library, "shape",
					json_sprintf("%dx%dx%d", sh->m, sh->n, sh->k), "gflops",
					r.available ? json_real(r.gflops) : json_null(), "threads", threads,
					"node", util_hostname());
			if (r.available)
				json_object_update_new(rec, json_pack("{s:s, s:s, s:s}", "core", r.core,
								      "core_how", r.core_how, "version",
								      r.version));
			else
				json_object_set_new(rec, "detail", json_string(r.detail));
			json_dumpf(rec, stdout, JSON_COMPACT);
			putchar('\n');
			json_decref(rec);
		}
	return 0;
}

int cmd_bench(int argc, char **argv)
{
	enum {
		O_COMPLETIONS = 256, O_SHARD, O_BUDGET, O_TIMEOUT, O_CV, O_MINREPS, O_THREADS,
		O_REWARD, O_PEAK, O_MEM, O_CC, O_CFLAGS, O_CACHE, O_NOCACHE, O_LOCK, O_NOLOCK,
		O_SEED, O_WAIT, O_PROMPTS, O_CATALOGUE, O_PERMIT, O_REQUIRE, O_OPENBLAS,
		O_BLIS, O_MKL, O_INTERLEAVE, O_NOINTERLEAVE,
	};
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{"shape", required_argument, NULL, 's'},
		{"completions", required_argument, NULL, O_COMPLETIONS},
		{"out", required_argument, NULL, 'o'},
		{"shard", required_argument, NULL, O_SHARD},
		{"budget", required_argument, NULL, O_BUDGET},
		{"timeout", required_argument, NULL, O_TIMEOUT},
		{"cv", required_argument, NULL, O_CV},
		{"min-reps", required_argument, NULL, O_MINREPS},
		{"threads", required_argument, NULL, O_THREADS},
		{"reward", required_argument, NULL, O_REWARD},
		{"peak", required_argument, NULL, O_PEAK},
		{"mem-limit", required_argument, NULL, O_MEM},
		{"cc", required_argument, NULL, O_CC},
		{"cflags", required_argument, NULL, O_CFLAGS},
		{"cache-dir", required_argument, NULL, O_CACHE},
		{"no-cache", no_argument, NULL, O_NOCACHE},
		{"lock", required_argument, NULL, O_LOCK},
		{"no-lock", no_argument, NULL, O_NOLOCK},
		{"seed", required_argument, NULL, O_SEED},
		{"wait", required_argument, NULL, O_WAIT},
		{"prompts", required_argument, NULL, O_PROMPTS},
		{"catalogue", required_argument, NULL, O_CATALOGUE},
		{"permit", required_argument, NULL, O_PERMIT},
		{"require", required_argument, NULL, O_REQUIRE},
		{"openblas", no_argument, NULL, O_OPENBLAS},
		{"blis", no_argument, NULL, O_BLIS},
		{"mkl", no_argument, NULL, O_MKL},
		{"interleave", no_argument, NULL, O_INTERLEAVE},
		{"no-interleave", no_argument, NULL, O_NOINTERLEAVE},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		TABLE_LONG_OPTIONS,
		{NULL, 0, NULL, 0},
	};
	struct table_opts topts = {0};
	char terr[512];
	struct bench b;
	const char *completions = NULL, *out = NULL, *shard = NULL, *prompts = NULL,
		   *catalogue = NULL, *permit = NULL, *require = NULL;
	int c, rc;
	double v, wait_s = 0;

	memset(&b, 0, sizeof b);
	measure_defaults(&b.pl.measure);
	b.pl.measure.harness = measure_find_harness();
	b.pl.build.timeout_s = 60;
	b.pl.measure.nshapes = 0;
	b.pl.interleave = 1; /* benchmarks/ranking: the ranking at the top is steadier so */
	optind = 1;
	while ((c = getopt_long(argc, argv, "js:o:qh" TABLE_SHORT_OPTIONS, opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			b.json = 1;
			break;
		case 's':
			if (b.pl.measure.nshapes == MEASURE_MAX_SHAPES)
				return util_usage_error("at most %s shapes", "8");
			if (parse_shape(optarg, &b.pl.measure.shapes[b.pl.measure.nshapes]) != 0)
				return util_usage_error("bad shape '%s' (want MxNxK, positive integers, "
						   "A, B and C within 3 GiB)", optarg);
			b.pl.measure.nshapes++;
			b.shapes_given = 1;
			break;
		case O_COMPLETIONS:
			completions = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case O_SHARD:
			shard = optarg;
			break;
		case O_BUDGET:
			if (parse_double(optarg, 0, 3600, &b.pl.measure.budget_s) != 0)
				return util_usage_error("bad --budget '%s' (seconds, 0 to 3600)", optarg);
			break;
		case O_TIMEOUT:
			if (parse_double(optarg, 0.01, 86400, &b.pl.measure.timeout_s) != 0)
				return util_usage_error("bad --timeout '%s' (seconds)", optarg);
			b.pl.build.timeout_s = fmax(30, b.pl.measure.timeout_s * 6);
			break;
		case O_CV:
			if (parse_double(optarg, 0, 100, &v) != 0)
				return util_usage_error("bad --cv '%s' (a percentage)", optarg);
			b.pl.measure.target_cv = v / 100;
			break;
		case O_MINREPS:
			if (parse_double(optarg, 1, 1000, &v) != 0)
				return util_usage_error("bad --min-reps '%s' (1 to 1000)", optarg);
			b.pl.measure.min_reps = (int)v;
			break;
		case O_THREADS:
			if (parse_double(optarg, 1, 4096, &v) != 0)
				return util_usage_error("bad --threads '%s'", optarg);
			b.pl.measure.threads = (int)v;
			break;
		case O_REWARD:
			if (reward_parse(optarg, &b.pl.reward) != 0)
				return util_usage_error("bad --reward '%s' (gflops, log or ratio)", optarg);
			break;
		case O_PEAK:
			if (parse_double(optarg, 0.001, 1e9, &b.pl.measure.peak_gflops) != 0)
				return util_usage_error("bad --peak '%s' (GFLOPS)", optarg);
			break;
		case O_MEM:
			if (parse_double(optarg, 64, 1 << 24, &v) != 0)
				return util_usage_error("bad --mem-limit '%s' (MiB, at least 64)", optarg);
			b.pl.measure.mem_bytes = (unsigned long long)v << 20;
			break;
		case O_CC:
			b.pl.build.cc = optarg;
			break;
		case O_CFLAGS:
			b.pl.build.cflags = optarg;
			break;
		case O_CACHE:
			b.pl.build.cache_dir = optarg;
			break;
		case O_NOCACHE:
			b.pl.build.no_cache = 1;
			break;
		case O_LOCK:
			b.pl.measure.lock_path = optarg;
			break;
		case O_NOLOCK:
			b.pl.measure.lock_path = NULL;
			break;
		case O_SEED:
			b.pl.measure.seed = strtoull(optarg, NULL, 0);
			break;
		case O_WAIT:
			if (parse_double(optarg, 0, 7 * 86400, &wait_s) != 0)
				return util_usage_error("bad --wait '%s' (seconds)", optarg);
			break;
		case O_PROMPTS:
			prompts = optarg;
			break;
		case O_CATALOGUE:
			catalogue = optarg;
			break;
		case O_PERMIT:
			permit = optarg;
			break;
		case O_REQUIRE:
			require = optarg;
			break;
		case O_OPENBLAS:
			b.libraries |= 1u << BASELINE_OPENBLAS;
			break;
		case O_BLIS:
			b.libraries |= 1u << BASELINE_BLIS;
			break;
		case O_MKL:
			b.libraries |= 1u << BASELINE_MKL;
			break;
		case O_INTERLEAVE:
			b.pl.interleave = 1;
			break;
		case O_NOINTERLEAVE:
			b.pl.interleave = 0;
			break;
		case 'q':
			util_quiet = 1;
			break;
		case 'h':
			fputs(bench_usage, stdout);
			return 0;
		default:
			if (table_option(&topts, c, optarg))
				break;
			fputs("Try 'perfrl bench --help'.\n", stderr);
			return 2;
		}
	}
	table_init(&b.table, bench_fields, sizeof bench_fields / sizeof bench_fields[0], &topts,
		   stdout);
	if (topts.helpformat) {
		table_helpformat(&b.table, stdout);
		return 0;
	}
	if (b.json && table_opts_given(&topts))
		return util_usage_error("%s", "--json excludes --format, -p, -P, --delimiter and -n");
	if (table_format(&b.table, topts.format ? topts.format : BENCH_DEFAULT_FORMAT, terr,
			 sizeof terr) != 0) {
		table_free(&b.table);
		return util_usage_error("--format: %s", terr);
	}
	if (!b.pl.measure.nshapes) {
		b.pl.measure.shapes[0] = (struct shape){512, 512, 512};
		b.pl.measure.nshapes = 1;
	}
	b.pl.cat = catalogue_new();
	rc = bench_main(&b, argc, argv, completions, out, shard, prompts, catalogue, permit, require,
			wait_s);
	catalogue_free(b.pl.cat);
	json_decref(b.problems);
	table_free(&b.table);
	return rc;
}

static int bench_main(struct bench *b, int argc, char **argv, const char *completions,
		      const char *out, const char *shard, const char *prompts,
		      const char *catalogue, const char *permit, const char *require, double wait_s)
{
	char err[300];
	if (catalogue) {
		json_error_t je;
		json_t *arr = json_load_file(catalogue, 0, &je);
		int bad = !arr || catalogue_load_json(b->pl.cat, arr, err, sizeof err) != 0;
		if (!arr)
			snprintf(err, sizeof err, "%s", je.text);
		json_decref(arr);
		if (bad)
			return util_usage_error("--catalogue %s: %s", catalogue, err);
	}
	if ((permit || require) && completions)
		return util_usage_error("%s", "--permit and --require go with FILEs (--completions takes "
				   "them from --prompts)");
	if (prompts && !completions)
		return util_usage_error("%s", "--prompts goes with --completions");
	if (permit || require) {
		techset_t all = catalogue_count(b->pl.cat) >= 32 ? ~0u : (1u << catalogue_count(b->pl.cat)) - 1;
		b->files_constrained = 1;
		b->files_con.permitted = all;
		if (permit && techset_parse(b->pl.cat, permit, &b->files_con.permitted, err, sizeof err) != 0)
			return util_usage_error("--permit: %s (see perfrl techniques --list)", err);
		if (require && techset_parse(b->pl.cat, require, &b->files_con.required, err, sizeof err) != 0)
			return util_usage_error("--require: %s (see perfrl techniques --list)", err);
		b->files_con.permitted |= b->files_con.required;
	}
	if (prompts && load_prompts(b, prompts) != 0)
		return 2;
	if (b->libraries) {
		if (completions || optind < argc)
			return util_usage_error("%s", "--openblas, --blis and --mkl take no inputs");
		return bench_libraries(b);
	}
	if (completions) {
		if (!out)
			return util_usage_error("%s needs --out FILE", "--completions");
		if (optind < argc)
			return util_usage_error("give files or --completions, not both (%s)", argv[optind]);
		/* The writer renames the file into place: once it exists, it is whole. */
		if (access(completions, F_OK) != 0 && wait_s > 0) {
			double until = util_now() + wait_s;
			util_info("waiting up to %.0f s for %s", wait_s, completions);
			while (access(completions, F_OK) != 0 && util_now() < until)
				usleep(200000);
		}
		return bench_completions(b, completions, out, shard);
	}
	if (out || shard)
		return util_usage_error("%s go with --completions", "--out and --shard");
	if (optind >= argc)
		return util_usage_error("%s", "no input (give FILE..., '-' for stdin, or --completions)");
	return bench_files(b, argc - optind, argv + optind);
}
