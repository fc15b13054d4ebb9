/* cmd_eval.c - `perfrl eval`: a policy's kernels on held-out prompts, measured by a CPU job
 * like an iteration's, with OpenBLAS on the same node as the baseline; and two evaluations
 * side by side. */
#include "config.h"
#include "catalogue.h"
#include "commands.h"
#include "conf.h"
#include "grpo.h"
#include "datadir.h"
#include "eval_summary.h"
#include "shape.h"
#include "jobspec.h"
#include "jsonl.h"
#include "prompt.h"
#include "run.h"
#include "slurm_client.h"
#include "table.h"
#include "template.h"
#include "util.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char eval_usage[] =
	"usage: perfrl eval -c CONF --out DIR [--checkpoint PATH|none] [--samples K] [--seed N]\n"
	"       perfrl eval [-c CONF] --completions FILE --problems FILE --out DIR\n"
	"       perfrl eval compare DIR_A DIR_B\n"
	"\n"
	"Draws K kernels per held-out prompt (one per shape of CONF, every technique permitted,\n"
	"posed with CONF's prompt template) in the GPU step, from CONF's policy: the builtin\n"
	"policy's checkpoint (a policy.json), or the trl driver's model with a checkpoint directory\n"
	"of the driver (RUN/iter-NNNN[/round-RR]/checkpoint); none: the policy iteration 1 samples. Or it\n"
	"takes any model's completions for the given problems. It measures the kernels\n"
	"in the CPU step, as an iteration does, with the baselines on one node of the same job (a\n"
	"naive kernel, -O3 i-k-j code, OpenBLAS, the node's peak); writes DIR/results.json (pass@k,\n"
	"fast_p, speedup@k, efficiency@k, GFLOPS distribution, compliance, statuses) and a table.\n"
	"Interrupted, it resumes without measuring again what it measured. 'compare' prints two\n"
	"evaluations side by side. See perfrl-eval(1).\n"
	"\n"
	"  -c, --config CONF       the run's configuration (with --completions: default\n"
	"                          ./perfrl.conf, else the defaults)\n"
	"  -o, --out DIR           the evaluation's directory\n"
	"      --checkpoint PATH   builtin: a policy.json; trl: a checkpoint directory; or none\n"
	"                          (default)\n"
	"  -k, --samples K         kernels per prompt (default 16)\n"
	"      --seed N            sampling seed (default 12345, not a training seed)\n"
	"      --completions FILE  JSONL of {sample_id, problem_id, completion}: score these\n"
	"      --problems FILE     JSONL of {problem_id, shape[, permitted, required, prompt]}\n"
	"      --format LIST       the table's fields, each Name[%WIDTH] (WIDTH > 0\n"
	"                          right-justifies, < 0 left-justifies); names match by\n"
	"                          unique prefix, any case (default: all but a few; see\n"
	"                          --helpformat and perfrl-eval(1))\n"
	"      --helpformat        list the fields\n"
	"  -p, --parsable          the delimiter after every field, the last one included\n"
	"  -P, --parsable2         the delimiter between fields, not after the last one\n"
	"      --delimiter STR     with -p or -P: the delimiter (default '|')\n"
	"  -n, --noheader          the table without its header\n"
	"  -h, --help              this text\n";

/* ---- the held-out prompts and the kernels ------------------------------------------------ */

static int write_prompts(const struct perfrl_config *cfg, const char *path)
{
	struct catalogue *cat = catalogue_new();
	json_t *lines = json_array();
	techset_t all = (1u << catalogue_count(cat)) - 1;
	int rc = 0;
	for (int i = 0; i < cfg->bench.shapes.n && rc == 0; i++) {
		struct stage_problem p = {.permitted = all};
		char *text;
		snprintf(p.id, sizeof p.id, "heldout-%s", cfg->bench.shapes.v[i]);
		snprintf(p.shape, sizeof p.shape, "%s", cfg->bench.shapes.v[i]);
		if (!(text = prompt_render_template(cfg->sqd.prompt_template, cat, &p, NULL))) {
			rc = -1;
			break;
		}
		json_array_append_new(lines, json_pack("{s:s, s:s, s:s, s:o, s:[], s:i}", "problem_id",
						       p.id, "prompt", text, "shape", p.shape,
						       "permitted", techset_json(cat, all), "required",
						       "stage", 0));
		free(text);
	}
	if (rc == 0 && jsonl_write(path, lines) != 0)
		rc = util_error("cannot write %s: %s", path, strerror(errno));
	json_decref(lines);
	catalogue_free(cat);
	return rc;
}

/* The CPU job: submit, then watch until it ends. */
/* The evaluation's job: with gen (the GPU step's sampling options), a heterogeneous job like an
 * iteration's, whose GPU component draws the kernels first; else a CPU job. Submit, then watch
 * until it ends. */
static int measure(const struct perfrl_config *cfg, const char *dir, const char *perfrl,
		   json_t *prompts, const char *gen)
{
	char name[256], comment[PATH_MAX + 32], out[PATH_MAX + 32], tasks[16],
		budget[32], cache[PATH_MAX + 32], naive[PATH_MAX], ikj[PATH_MAX];
	char *args = jobspec_bench_args(cfg), *script, *env[JOBSPEC_ENV_MAX], *shapes = util_xstrdup("");
	json_t *seen = json_object(), *p;
	const char *key;
	struct sc_job_spec spec;
	uint32_t job;
	int rc;

	snprintf(tasks, sizeof tasks, "%d", cfg->slurm.cpu.tasks);
	snprintf(budget, sizeof budget, "%g", fmax(0.5, cfg->bench.budget_s));
	/* the baselines of every shape a problem has (checked MxNxK: safe in the script) */
	json_object_foreach(prompts, key, p) {
		const char *sh = json_string_value(json_object_get(p, "shape"));
		if (sh && !json_object_get(seen, sh)) {
			char *more = util_xasprintf("%s%s%s", shapes, *shapes ? " " : "", sh);
			free(shapes);
			shapes = more;
			json_object_set_new(seen, sh, json_true());
		}
	}
	json_decref(seen);
	snprintf(naive, sizeof naive, "%s", datadir_path("templates/baselines/naive.c"));
	snprintf(ikj, sizeof ikj, "%s", datadir_path("templates/baselines/ikj.c"));
	{
		const char *kv[] = {"OUT_DIR", dir, "PERFRL", perfrl, "BENCH_ARGS", args, "CPU_TASKS",
				    tasks, "SHAPES", shapes, "NAIVE", naive, "IKJ", ikj,
				    "OPENBLAS_BUDGET", budget,
				    "GENERATE", !gen ? "none" : cfg->gpu_step.command == CONFIG_GPU_TRL ? "trl" : "builtin",
				    "GPU_ARGS", gen ? gen : "", "CPU_GROUP", gen ? "--het-group=1" : "",
				    NULL};
		script = template_render("templates/eval.sbatch.in", kv);
	}
	free(args);
	free(shapes);
	if (!script)
		return -1;
	{
		char cache_dir[PATH_MAX + 8];
		snprintf(cache_dir, sizeof cache_dir, "%s/cache", dir);
		jobspec_env(env, cache, cache_dir);
	}
	memset(&spec, 0, sizeof spec);
	snprintf(name, sizeof name, "%s:eval", cfg->slurm.job_name_prefix);
	snprintf(comment, sizeof comment, "perfrl eval=%s", dir);
	snprintf(out, sizeof out, "%s/slurm-%%j.out", dir);
	spec.name = name;
	spec.comment = comment;
	spec.workdir = dir;
	spec.std_out = out;
	spec.script = script;
	spec.env = env;
	jobspec_component(cfg, 1, &spec.comp[0]);
	jobspec_component(cfg, 0, &spec.comp[1]);
	/* The submission and watch of perfrl run (run.c): a busy or unreachable slurmctld is
	 * retried, a live evaluation job of this directory is reattached, and a waiting job says
	 * what it waits for. */
	rc = run_submit(&spec, gen != NULL, "perfrl eval", &job);
	free(script);
	if (rc != 0)
		return -1;
	if (gen)
		util_info("perfrl eval: job %u: the GPU step draws the kernels, the CPU step measures them in %s", job, dir);
	else
		util_info("perfrl eval: CPU job %u measures %s", job, dir);
	{
		struct run_watch_opts w = {"perfrl eval", 1, cfg->slurm.status_interval_s,
					   cfg->slurm.done_grace_s, NULL, NULL, NULL, NULL, NULL, NULL};
		struct sc_job_state st;
		double end;
		enum run_watch_end how = run_watch(&w, job, &st, &end);
		if (how == RUN_W_ERROR || how == RUN_W_STOPPED)
			return util_error("job %u: no longer watched", job);
	}
	return 0;
}

/* ---- scoring another model's output: --completions and --problems -------------------------- */

/* A JSONL file the user wrote: every non-blank line an object with the string fields of want
 * (and problem_id, which may be a number). 0 with *out, or -1 with a one-line error. */
static int read_user_jsonl(const char *path, const char *what, const char *const *want, json_t **out)
{
	size_t len;
	char *text = util_read_file(path, 0, &len), *line, *save = NULL;
	int lineno = 0;
	json_t *arr;
	if (!text)
		return util_error("cannot read %s %s: %s", what, path, strerror(errno));
	arr = json_array();
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		json_error_t je;
		json_t *o;
		lineno++;
		if (strspn(line, " \t\r") == strlen(line))
			continue;
		if (!(o = json_loads(line, JSON_ALLOW_NUL, &je)) || !json_is_object(o)) {
			util_error("%s:%d: not a JSON object (%s)", path, lineno, o ? "another JSON value" : je.text);
			goto bad;
		}
		for (const char *const *w = want; *w; w++) {
			json_t *v = json_object_get(o, *w);
			if (!json_is_string(v) && !(json_is_integer(v) && strstr(*w, "_id"))) {
				util_error("%s:%d: no \"%s\" (a string) in this %s line", path, lineno, *w, what);
				json_decref(o);
				goto bad;
			}
		}
		json_array_append_new(arr, o);
	}
	free(text);
	if (json_array_size(arr) == 0) {
		json_decref(arr);
		return util_error("%s %s has no lines", what, path);
	}
	*out = arr;
	return 0;
bad:
	free(text);
	json_decref(arr);
	return -1;
}

/* Check the user's problems and completions against each other; into DIR they go as
 * prompts.jsonl and completions.jsonl, once: a later run must name the same files. */
static int import_user(const char *dir, const char *problems, const char *completions)
{
	static const char *const pwant[] = {"problem_id", "shape", NULL},
			      *const cwant[] = {"sample_id", "problem_id", "completion", NULL};
	json_t *probs = NULL, *comps = NULL, *ids = json_object(), *sids = json_object(), *l;
	char path[PATH_MAX + 32];
	size_t i;
	int rc = -1;
	if (read_user_jsonl(problems, "problems", pwant, &probs) != 0 ||
	    read_user_jsonl(completions, "completions", cwant, &comps) != 0)
		goto out;
	json_array_foreach(probs, i, l) {
		char *k = jsonl_id_key(json_object_get(l, "problem_id"));
		const char *refused = shape_parse(json_string_value(json_object_get(l, "shape")), NULL);
		if (refused) {
			util_error("%s: problem %s: bad shape '%s' (it %s)", problems, k,
				   json_string_value(json_object_get(l, "shape")) ?: "", refused);
			free(k);
			goto out;
		}
		if (json_object_get(ids, k)) {
			util_error("%s: problem %s appears twice", problems, k);
			free(k);
			goto out;
		}
		/* the rule of the problem: every technique permitted unless it says otherwise */
		{
			struct catalogue *cat = catalogue_new();
			techset_t set;
			char why[200];
			int bad = 0;
			if (!json_object_get(l, "permitted"))
				json_object_set_new(l, "permitted", techset_json(cat, (1u << catalogue_count(cat)) - 1));
			if (!json_object_get(l, "required"))
				json_object_set_new(l, "required", json_array());
			for (int f = 0; f < 2 && !bad; f++)
				if (techset_from_json(cat, json_object_get(l, f ? "required" : "permitted"), &set,
						      why, sizeof why) != 0) {
					util_error("%s: problem %s: %s: %s (see perfrl techniques --list)",
						   problems, k, f ? "required" : "permitted", why);
					bad = 1;
				}
			catalogue_free(cat);
			if (bad) {
				free(k);
				goto out;
			}
		}
		json_object_set(ids, k, l);
		free(k);
	}
	json_array_foreach(comps, i, l) {
		char *pk = jsonl_id_key(json_object_get(l, "problem_id")),
		     *sk = jsonl_id_key(json_object_get(l, "sample_id"));
		int bad = !json_object_get(ids, pk), dup = json_object_get(sids, sk) != NULL;
		if (bad)
			util_error("%s: sample %s: problem %s is not in %s", completions, sk, pk, problems);
		else if (dup)
			util_error("%s: sample %s appears twice", completions, sk);
		json_object_set_new(sids, sk, json_true());
		free(pk);
		free(sk);
		if (bad || dup)
			goto out;
	}
	for (int f = 0; f < 2; f++) {
		json_t *arr = f ? comps : probs, *have;
		const char *name = f ? "completions.jsonl" : "prompts.jsonl";
		snprintf(path, sizeof path, "%s/%s", dir, name);
		if ((have = jsonl_read(path))) { /* resuming: the same evaluation, or refuse */
			int same = json_equal(have, arr);
			json_decref(have);
			if (!same) {
				util_error("%s holds another evaluation (its %s differs from %s); give "
					   "another --out", dir, name, f ? completions : problems);
				goto out;
			}
		} else if (jsonl_write(path, arr) != 0) {
			util_error("cannot write %s: %s", path, strerror(errno));
			goto out;
		}
	}
	rc = 0;
out:
	json_decref(probs);
	json_decref(comps);
	json_decref(ids);
	json_decref(sids);
	return rc;
}

/* ---- the table and the comparison ----------------------------------------------------------- */

/* A row of the table: a problem of results.json (or "all"), and the ks it was scored at. */
struct eval_row {
	const char *key;
	json_t *p;
};

struct eval_ks {
	char k1[16], kn[16];
};

/* v with decimals digits, or "-" when it is not a number */
static void fmt(char *buf, size_t len, json_t *v, int decimals)
{
	if (json_is_number(v))
		snprintf(buf, len, "%.*f", decimals, json_number_value(v));
	else
		snprintf(buf, len, "-");
}

static const char *kkey(json_t *ks, int last, char *buf, size_t len)
{
	json_t *k = json_array_get(ks, last ? json_array_size(ks) - 1 : 0);
	snprintf(buf, len, "%lld", (long long)(k ? json_integer_value(k) : 1));
	return buf;
}

#define ROW const struct eval_row *r = row
#define KS const struct eval_ks *ks = ctx
static void p_problem(const void *row, const void *ctx, char *buf, size_t len)
{
	ROW;
	(void)ctx;
	snprintf(buf, len, "%s", r->key);
}

static void p_shape(const void *row, const void *ctx, char *buf, size_t len)
{
	ROW;
	(void)ctx;
	snprintf(buf, len, "%s", json_string_value(json_object_get(r->p, "shape")) ?: "-");
}

static void p_samples(const void *row, const void *ctx, char *buf, size_t len)
{
	ROW;
	(void)ctx;
	snprintf(buf, len, "%lld", (long long)json_integer_value(json_object_get(r->p, "samples")));
}

/* A figure of the row, by key, with decimals digits. */
#define FIGURE(fn, key, decimals)                                                           \
	static void fn(const void *row, const void *ctx, char *buf, size_t len)             \
	{                                                                                   \
		ROW;                                                                        \
		(void)ctx;                                                                  \
		fmt(buf, len, json_object_get(r->p, key), decimals);                        \
	}
/* A figure at k, k1 or kn of the ks. */
#define FIGURE_K(fn, key, which, decimals)                                                  \
	static void fn(const void *row, const void *ctx, char *buf, size_t len)             \
	{                                                                                   \
		ROW;                                                                        \
		KS;                                                                         \
		fmt(buf, len, json_object_get(json_object_get(r->p, key), ks->which), decimals); \
	}
FIGURE(p_ok, "ok_share", 3)
FIGURE_K(p_pass1, "pass_at_k", k1, 3)
FIGURE_K(p_passn, "pass_at_k", kn, 3)
FIGURE_K(p_speed1, "speedup_at_k", k1, 2)
FIGURE_K(p_speedn, "speedup_at_k", kn, 2)
FIGURE_K(p_eff1, "efficiency_at_k", k1, 3)
FIGURE_K(p_effn, "efficiency_at_k", kn, 3)
FIGURE(p_best, "best_gflops", 2)
FIGURE(p_naive, "naive", 2)
FIGURE(p_ikj, "ikj", 2)
FIGURE(p_openblas, "openblas", 2)
FIGURE(p_blis, "blis", 2)
FIGURE(p_peak, "peak_gflops", 1)
FIGURE(p_compliance, "compliance", 3)
FIGURE(p_mean, "mean_gflops", 2)

/* fast_1 against the sequential i-k-j baseline (EVAL_SEQUENTIAL) or the best library */
static void p_fast1(const void *row, const void *ctx, char *buf, size_t len)
{
	ROW;
	(void)ctx;
	fmt(buf, len, json_object_get(json_object_get(json_object_get(r->p, "fast_p"), EVAL_SEQUENTIAL), "1"), 3);
}

static void p_fast1lib(const void *row, const void *ctx, char *buf, size_t len)
{
	ROW;
	(void)ctx;
	fmt(buf, len, json_object_get(json_object_get(json_object_get(r->p, "fast_p"), "library"), "1"), 3);
}
#undef ROW
#undef KS

/* The fields; k1 and kn are the first and last k of results.json, shown in the header
 * (Pass@1, Pass@16). */
static const struct table_field eval_fields[] = {
	{"Problem", -24, p_problem, 0},
	{"Shape", -12, p_shape, 0},
	{"Samples", 7, p_samples, 0},
	{"OK", 7, p_ok, 0},
	{"Pass@k1", 7, p_pass1, 0},
	{"Pass@kn", 7, p_passn, 0},
	{"Fast_1", 7, p_fast1, 0},
	{"Speedup@k1", 10, p_speed1, 0},
	{"Speedup@kn", 10, p_speedn, 0},
	{"BestGFLOPS", 10, p_best, 0},
	{"Naive", 10, p_naive, 0},
	{"IKJ-O3", 10, p_ikj, 0},
	{"OpenBLAS", 10, p_openblas, 0},
	{"BLIS", 10, p_blis, 0},
	{"Peak", 10, p_peak, 0},
	{"Fast_1Library", 13, p_fast1lib, 0},
	{"Efficiency@k1", 13, p_eff1, 0},
	{"Efficiency@kn", 13, p_effn, 0},
	{"MeanGFLOPS", 10, p_mean, 0},
	{"Compliance", 10, p_compliance, 0},
};
#define EVAL_DEFAULT_FORMAT                                                                  \
	"Problem,Shape,Samples,OK,Pass@k1,Pass@kn,Fast_1,Speedup@k1,Speedup@kn,BestGFLOPS,"   \
	"Naive,IKJ-O3,OpenBLAS,BLIS,Peak"

static void print_table(struct table *t, json_t *res)
{
	json_t *ks = json_object_get(res, "ks"), *p;
	struct eval_ks k;
	char h[6][32];
	const char *key;
	kkey(ks, 0, k.k1, sizeof k.k1);
	kkey(ks, 1, k.kn, sizeof k.kn);
	snprintf(h[0], sizeof h[0], "Pass@%s", k.k1);
	snprintf(h[1], sizeof h[1], "Pass@%s", k.kn);
	snprintf(h[2], sizeof h[2], "Speedup@%s", k.k1);
	snprintf(h[3], sizeof h[3], "Speedup@%s", k.kn);
	snprintf(h[4], sizeof h[4], "Efficiency@%s", k.k1);
	snprintf(h[5], sizeof h[5], "Efficiency@%s", k.kn);
	table_header_name(t, "Pass@k1", h[0]);
	table_header_name(t, "Pass@kn", h[1]);
	table_header_name(t, "Speedup@k1", h[2]);
	table_header_name(t, "Speedup@kn", h[3]);
	table_header_name(t, "Efficiency@k1", h[4]);
	table_header_name(t, "Efficiency@kn", h[5]);
	t->ctx = &k;
	table_header(t);
	for (int pass = 0; pass < 2; pass++) {
		json_t *obj = pass ? json_pack("{s:O}", "all", json_object_get(res, "all"))
				   : json_incref(json_object_get(res, "problems"));
		json_object_foreach(obj, key, p) {
			struct eval_row row = {key, p};
			table_row(t, &row);
		}
		json_decref(obj);
	}
	fflush(t->out);
	t->ctx = NULL;
	/* Which kernels the library columns ran: a note for the person reading, on stderr, so
	 * that the table stays a table. */
	{
		const char *shape;
		json_t *row;
		json_object_foreach(json_object_get(res, "baselines"), shape, row) {
			const char *oc = json_string_value(json_object_get(row, "openblas_core")),
				   *bc = json_string_value(json_object_get(row, "blis_core"));
			char nominal[32] = "";
			if (json_is_number(json_object_get(row, "nominal_peak")))
				snprintf(nominal, sizeof nominal, ", nominal %.1f",
					 json_number_value(json_object_get(row, "nominal_peak")));
			util_info("baselines of %s: OpenBLAS core %s, BLIS %s; Peak measured on the node%s",
				  shape, oc ? oc : "-", bc ? bc : "-", nominal);
		}
	}
}

/* A figure of "all" by path ("pass_at_k" "1"), or NULL. */
static json_t *figure(json_t *all, const char *a, const char *b, const char *c)
{
	json_t *v = json_object_get(all, a);
	if (b)
		v = json_object_get(v, b);
	if (c)
		v = json_object_get(v, c);
	return v;
}

static int compare(const char *a, const char *b)
{
	char pa[PATH_MAX + 32], pb[PATH_MAX + 32], ka[16];
	json_t *ja, *jb, *x, *y;
	struct { const char *label, *a, *b, *c; } rows[] = {
		{"samples", "samples", NULL, NULL},
		{"ok_share", "ok_share", NULL, NULL},
		{"mean_gflops", "mean_gflops", NULL, NULL},
		{"mean_ok_gflops", "mean_ok_gflops", NULL, NULL},
		{"best_gflops", "best_gflops", NULL, NULL},
		{"pass@1", "pass_at_k", "1", NULL},
		{"pass@K", "pass_at_k", NULL, NULL},
		{"fast_1", "fast_p", EVAL_SEQUENTIAL, "1"},
		{"fast_1(openblas)", "fast_p", "openblas", "1"},
		{"fast_1(library)", "fast_p", "library", "1"},
		{"speedup@1", "speedup_at_k", "1", NULL},
		{"speedup@K", "speedup_at_k", NULL, NULL},
		{"efficiency@1", "efficiency_at_k", "1", NULL},
		{"compliance", "compliance", NULL, NULL},
	};
	snprintf(pa, sizeof pa, "%s/results.json", a);
	snprintf(pb, sizeof pb, "%s/results.json", b);
	ja = json_load_file(pa, 0, NULL);
	jb = json_load_file(pb, 0, NULL);
	if (!ja || !jb) {
		json_decref(ja);
		json_decref(jb);
		return util_error("compare: cannot read %s", !ja ? pa : pb), 1;
	}
	x = json_object_get(ja, "all");
	y = json_object_get(jb, "all");
	/* K: the largest k both evaluations have */
	snprintf(ka, sizeof ka, "1");
	{
		json_t *ksa = json_object_get(ja, "ks"), *ksb = json_object_get(jb, "ks"), *u, *v;
		size_t i, j;
		json_array_foreach(ksa, i, u)
			json_array_foreach(ksb, j, v)
				if (json_integer_value(u) == json_integer_value(v) && json_integer_value(u) > atoi(ka))
					snprintf(ka, sizeof ka, "%lld", (long long)json_integer_value(u));
	}
	printf("%-18s %12s %12s %8s\n", "all problems", "A", "B", "B/A");
	for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
		const char *bb = rows[i].b ? rows[i].b : (!strcmp(rows[i].label + strlen(rows[i].label) - 2, "@K") ? ka : NULL);
		json_t *fa = figure(x, rows[i].a, bb, rows[i].c), *fb = figure(y, rows[i].a, bb, rows[i].c);
		double va = json_number_value(fa), vb = json_number_value(fb);
		char label[32];
		snprintf(label, sizeof label, "%s", rows[i].label);
		if (bb == ka)
			snprintf(label + strlen(label) - 1, sizeof label - strlen(label) + 1, "%s", ka);
		if (!json_is_number(fa) && !json_is_number(fb))
			continue; /* an evaluation from before this figure existed */
		if (va > 0 && json_is_number(fb))
			printf("%-18s %12.3f %12.3f %8.2f\n", label, va, vb, vb / va);
		else
			printf("%-18s %12.3f %12.3f %8s\n", label, va, vb, "-");
	}
	json_decref(ja);
	json_decref(jb);
	return 0;
}

/* The completions of an evaluation, one per sample id (the first line wins), in order. */
static json_t *read_completions(const char *path)
{
	json_t *byc = json_object(), *v, *arr = json_array();
	const char *k;
	if (jsonl_read_by_id(path, byc) < 0) {
		util_error("cannot read %s: %s", path, strerror(errno));
		json_decref(byc);
		json_decref(arr);
		return NULL;
	}
	json_object_foreach(byc, k, v)
		json_array_append(arr, v);
	json_decref(byc);
	return arr;
}

/* The trl driver's options to sample DIR's prompts (malloc'd), or NULL (reported): the run's
 * model, with the driver's checkpoint directory ckpt unless it is "none", and the run's driver
 * flags (gpu_step.args: the sampling ones count, the training ones are ignored). The checkpoint
 * is checked before anything is submitted; it is read where it is, not copied (a full
 * fine-tune is the model's size), and results.json names it. */
static char *trl_sampling_args(const struct perfrl_config *cfg, const char *ckpt, const char *samples,
			       const char *seed)
{
	char abs[PATH_MAX], marker[PATH_MAX + 16], *head, *args;
	if (strcmp(ckpt, "none") != 0) {
		if (!realpath(ckpt, abs)) {
			util_error("the checkpoint %s: %s", ckpt, strerror(errno));
			return NULL;
		}
		snprintf(marker, sizeof marker, "%s/COMPLETE", abs);
		if (access(marker, F_OK) != 0) {
			util_error("%s is not a complete checkpoint of the trl driver (no COMPLETE in it); "
				   "name a round's checkpoint directory, RUN/iter-NNNN[/round-RR]/checkpoint", ckpt);
			return NULL;
		}
		if (strchr(abs, '\'')) {
			util_error("the checkpoint's path may not contain a quote ('): %s", abs);
			return NULL;
		}
	}
	if (!(head = jobspec_trl_head(cfg)))
		return NULL;
	args = util_xasprintf("%s -g %s --seed %s%s%s%s%s%s", head, samples, seed,
			      strcmp(ckpt, "none") ? " --adapter '" : "", strcmp(ckpt, "none") ? abs : "",
			      strcmp(ckpt, "none") ? "'" : "", *cfg->gpu_step.args ? " " : "",
			      cfg->gpu_step.args);
	free(head);
	return args;
}

/*
 * The GPU step's options to draw the evaluation's kernels (malloc'd), or NULL (reported). The
 * builtin policy is sampled; its checkpoint is copied to DIR/policy.json first, so that the job
 * reads what was named now, and the evaluation keeps the policy it measured. The trl driver
 * samples its model (trl_sampling_args).
 */
static char *sampling_args(const struct perfrl_config *cfg, const char *dir, const char *ckpt,
			   const char *samples, const char *seed)
{
	char copy[PATH_MAX + 32];
	if (cfg->gpu_step.command == CONFIG_GPU_TRL)
		return trl_sampling_args(cfg, ckpt, samples, seed);
	if (cfg->gpu_step.command != CONFIG_GPU_BUILTIN) {
		util_error("evaluations draw kernels from a learning policy (gpu_step.command = "
			   "\"builtin\" or \"trl\"); for another model, generate its completions and "
			   "score them with --completions FILE --problems FILE");
		return NULL;
	}
	if (strcmp(ckpt, "none") != 0) {
		json_error_t je;
		json_t *pol = json_load_file(ckpt, 0, &je);
		snprintf(copy, sizeof copy, "%s/policy.json", dir);
		if (!pol) {
			util_error("cannot read the checkpoint %s: %s", ckpt, je.text);
			return NULL;
		}
		{ /* a policy the GPU step can load, before anything is submitted */
			struct grpo_policy cp;
			char err[256];
			if (grpo_policy_from_json(pol, &cp, err, sizeof err) != 0) {
				json_decref(pol);
				util_error("%s: %s", ckpt, err);
				return NULL;
			}
		}
		if (json_dump_file(pol, copy, JSON_COMPACT) != 0) {
			json_decref(pol);
			util_error("cannot write %s: %s", copy, strerror(errno));
			return NULL;
		}
		json_decref(pol);
	}
	/* --checkpoint none: the run's initial policy, the one iteration 1 samples */
	return util_xasprintf("--samples %s --seed %s --checkpoint %s --prior-bias %g", samples, seed,
			      strcmp(ckpt, "none") ? copy : "none", cfg->gpu_step.prior_bias);
}

int cmd_eval(int argc, char **argv)
{
	enum { O_CKPT = 256, O_SEED, O_COMPLETIONS, O_PROBLEMS };
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"out", required_argument, NULL, 'o'},
		{"checkpoint", required_argument, NULL, O_CKPT},
		{"samples", required_argument, NULL, 'k'},
		{"seed", required_argument, NULL, O_SEED},
		{"completions", required_argument, NULL, O_COMPLETIONS},
		{"problems", required_argument, NULL, O_PROBLEMS},
		TABLE_LONG_OPTIONS,
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *conf = NULL, *out = NULL, *ckpt = NULL, *ucompl = NULL, *uprobs = NULL;
	char err[512], dir[PATH_MAX], path[PATH_MAX + 32], perfrl[PATH_MAX], samples[16] = "16",
		seed[32] = "12345";
	struct perfrl_config cfg;
	struct table_opts topts = {0};
	struct table tab = {0};
	json_t *compl = NULL, *by = NULL, *prompts = NULL, *res, *baseline;
	char *gen = NULL;
	int c, rc = 1, given_samples = 0;
	ssize_t n;

	if (argc >= 2 && !strcmp(argv[1], "compare")) {
		if (argc != 4) {
			fputs(eval_usage, stderr);
			return 2;
		}
		return compare(argv[2], argv[3]);
	}
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:o:k:h" TABLE_SHORT_OPTIONS, opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			conf = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case O_CKPT:
			ckpt = optarg;
			break;
		case 'k': {
			long v;
			if (util_parse_long(optarg, 1, 100000, &v) != 0)
				return util_usage_error("bad --samples '%s' (1 to 100000)", optarg);
			snprintf(samples, sizeof samples, "%ld", v);
			given_samples = 1;
			break;
		}
		case O_SEED: {
			long v;
			if (util_parse_long(optarg, 0, 2147483647L, &v) != 0)
				return util_usage_error("bad --seed '%s' (a non-negative integer)", optarg);
			snprintf(seed, sizeof seed, "%ld", v);
			break;
		}
		case O_COMPLETIONS:
			ucompl = optarg;
			break;
		case O_PROBLEMS:
			uprobs = optarg;
			break;
		case 'h':
			fputs(eval_usage, stdout);
			return 0;
		default:
			if (table_option(&topts, c, optarg))
				break;
			fputs(eval_usage, stderr);
			return 2;
		}
	}
	table_init(&tab, eval_fields, sizeof eval_fields / sizeof eval_fields[0], &topts, stdout);
	if (topts.helpformat) {
		table_helpformat(&tab, stdout);
		return 0;
	}
	if (!out || optind < argc || (!conf && !ucompl) || (!ucompl != !uprobs) ||
	    (ucompl && (ckpt || given_samples))) {
		if (ucompl && (ckpt || given_samples))
			fputs("perfrl eval: --completions scores given kernels: no --checkpoint or "
			      "--samples\n", stderr);
		else if (!ucompl != !uprobs)
			fputs("perfrl eval: --completions and --problems go together\n", stderr);
		fputs(eval_usage, stderr);
		return 2;
	}
	/* a bad --format is a usage error before anything is measured */
	if (table_format(&tab, topts.format ? topts.format : EVAL_DEFAULT_FORMAT, err,
			 sizeof err) != 0) {
		fprintf(stderr, "perfrl eval: --format: %s\n", err);
		table_free(&tab);
		return 2;
	}
	if (!ckpt)
		ckpt = "none";
	/* scoring given completions needs only the CPU partition: ./perfrl.conf, or the defaults */
	if (!conf && access("perfrl.conf", R_OK) == 0)
		conf = "perfrl.conf";
	if (config_load(conf, &cfg, err, sizeof err) != 0) {
		util_error("%s", err);
		table_free(&tab);
		return 2;
	}
	if (util_mkdirs(out, 0755) != 0 || !realpath(out, dir)) {
		util_error("cannot create %s: %s", out, strerror(errno));
		goto done;
	}
	n = readlink("/proc/self/exe", perfrl, sizeof perfrl - 1);
	if (n <= 0) {
		util_error("cannot find this perfrl binary: %s", strerror(errno));
		goto done;
	}
	perfrl[n] = '\0';
	if (ucompl) {
		if (import_user(dir, uprobs, ucompl) != 0)
			goto done;
	} else {
		snprintf(path, sizeof path, "%s/prompts.jsonl", dir);
		if (access(path, F_OK) != 0 && write_prompts(&cfg, path) != 0)
			goto done;
		snprintf(path, sizeof path, "%s/completions.jsonl", dir);
		if (access(path, F_OK) != 0 && !(gen = sampling_args(&cfg, dir, ckpt, samples, seed)))
			goto done;
	}
	snprintf(path, sizeof path, "%s/prompts.jsonl", dir);
	prompts = json_object();
	if (jsonl_read_key(path, "problem_id", prompts) < 0) {
		util_error("cannot read %s: %s", path, strerror(errno));
		goto done;
	}
	if (gen) { /* the kernels are drawn in the job, then measured */
		if (measure(&cfg, dir, perfrl, prompts, gen) != 0)
			goto done;
		snprintf(path, sizeof path, "%s/completions.jsonl", dir);
		if (access(path, F_OK) != 0) {
			util_error("the GPU step wrote no %s; see %s/slurm-*.out", path, dir);
			goto done;
		}
	}
	snprintf(path, sizeof path, "%s/completions.jsonl", dir);
	if (!(compl = read_completions(path)))
		goto done;
	by = jsonl_results(dir);
	snprintf(path, sizeof path, "%s/baseline.jsonl", dir);
	if (json_object_size(by) < json_array_size(compl) || access(path, F_OK) != 0) {
		if (measure(&cfg, dir, perfrl, prompts, NULL) != 0)
			goto done;
		json_decref(by);
		by = jsonl_results(dir);
	}
	if (json_object_size(by) < json_array_size(compl))
		util_info("perfrl eval: %zu of %zu samples measured (run it again to measure the rest)",
			  json_object_size(by), json_array_size(compl));
	baseline = jsonl_read(path);
	if (!baseline)
		util_info("perfrl eval: no baselines in %s yet (run it again to measure them)", path);
	res = eval_summary(prompts, compl, by, baseline);
	json_decref(baseline);
	json_object_set_new(res, "checkpoint", ucompl ? json_null() : json_string(ckpt));
	json_object_set_new(res, "source", json_string(ucompl ? "completions" : "policy"));
	snprintf(path, sizeof path, "%s/results.json", dir);
	if (json_dump_file(res, path, JSON_INDENT(2)) != 0)
		util_error("cannot write %s: %s", path, strerror(errno));
	print_table(&tab, res);
	json_decref(res);
	rc = json_object_size(by) < json_array_size(compl) || !baseline;
done:
	free(gen);
	json_decref(compl);
	json_decref(by);
	json_decref(prompts);
	config_free(&cfg);
	table_free(&tab);
	return rc;
}
