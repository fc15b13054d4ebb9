/* conf.c - perfrl.conf: every key in one table, read with libconfig, printed back. */
#include "config.h"
#include "conf.h"
#include "shape.h"
#include "build.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <libconfig.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- the table ------------------------------------------------------------------------- */

enum key_type { T_STRING, T_INT, T_FLOAT, T_BOOL, T_ENUM, T_LIST };

struct key {
	const char *name;            /* dotted path: "slurm.gpu.partition" */
	enum key_type type;
	size_t off;                  /* of the value in struct perfrl_config */
	double def;                  /* default of T_INT, T_FLOAT, T_BOOL */
	const char *sdef;            /* default of T_STRING, and of T_ENUM (one of choices) */
	const char *const *ldef;     /* default of T_LIST, NULL-terminated */
	double min, max;             /* T_INT, T_FLOAT: the value; T_LIST: the number of elements */
	const char *const *choices;  /* T_ENUM, NULL-terminated; the value is the index */
	const char *(*check)(const char *s); /* T_STRING, T_LIST elements: NULL, or what is wrong */
	const char *doc;
};

static const char *nonempty(const char *s)
{
	return *s ? NULL : "must not be empty";
}

/* Words the job script passes on as they are: no quoting, expansion or redirection. */
static const char *shell_words(const char *s)
{
	if (strlen(s) > 1024)
		return "longer than 1024 characters";
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr(" _=./,:+-@%", *s))
			return "must be plain words: letters, digits, spaces and _=./,:+-@% (no quotes or shell syntax)";
	return NULL;
}

/* The same limits as `perfrl bench --shape`. */
static const char *shape(const char *s)
{
	return shape_parse(s, NULL) ? "is not MxNxK (positive integers up to 65536; A, B and C within 3 GiB)"
				    : NULL;
}

static const char *const gpu_commands[] = {"builtin", "trl", "fixed", NULL};     /* enum config_gpu_command */
static const char *const reward_modes[] = {"gflops", "log", "ratio", NULL}; /* enum reward_mode */

/* The offset of field f, which must have type T: a row that names the wrong type fails to compile. */
#define FIELD(f, T) (offsetof(struct perfrl_config, f) + \
		     0 * sizeof(_Generic(((struct perfrl_config *)0)->f, T: 1)))
#define K_STRING(n, f, d, chk, h) \
	{.name = n, .type = T_STRING, .off = FIELD(f, char *), .sdef = d, .check = chk, .doc = h}
#define K_INT(n, f, d, lo, hi, h) \
	{.name = n, .type = T_INT, .off = FIELD(f, int), .def = d, .min = lo, .max = hi, .doc = h}
#define K_FLOAT(n, f, d, lo, hi, h) \
	{.name = n, .type = T_FLOAT, .off = FIELD(f, double), .def = d, .min = lo, .max = hi, .doc = h}
#define K_BOOL(n, f, d, h) {.name = n, .type = T_BOOL, .off = FIELD(f, int), .def = d, .doc = h}
#define K_ENUM(n, f, d, ch, h) \
	{.name = n, .type = T_ENUM, .off = FIELD(f, int), .sdef = d, .choices = ch, .doc = h}
#define K_LIST(n, f, d, lo, hi, chk, h) {.name = n, .type = T_LIST, \
	.off = FIELD(f, struct config_list), .ldef = d, .min = lo, .max = hi, .check = chk, .doc = h}

/* Every key. Adding a key is adding a row (and a line in perfrl.conf and doc/perfrl.conf.5: the
 * tests check both). The keys of a group must be consecutive rows. */
static const struct key keys[] = {
	K_STRING("run_dir", run_dir, "run", nonempty,
		 "directory of the run: iter-NNNN/ per iteration, state/"),
	K_INT("iterations", iterations, 100, 1, 100000, "RL iterations, one Slurm job each"),
	K_INT("seed", seed, 1, 0, INT_MAX, "seed of sampling and inputs; 0: a new one per run"),
	K_STRING("stages", stages, "stages.lua", nonempty, "the SQD curriculum (Lua)"),

	K_STRING("slurm.account", slurm.account, "", NULL, "--account; empty: your default"),
	K_STRING("slurm.qos", slurm.qos, "", NULL, "--qos; empty: the default"),
	K_STRING("slurm.job_name_prefix", slurm.job_name_prefix, "perfrl", nonempty,
		 "job names are PREFIX-iter-NNNN"),
	K_STRING("slurm.gpu.partition", slurm.gpu.partition, "gpu", nonempty,
		 "partition of the GPU step (het component 0)"),
	K_STRING("slurm.gpu.gres", slurm.gpu.gres, "gpu:1", NULL, "--gres of the GPU step; empty: none"),
	K_INT("slurm.gpu.nodes", slurm.gpu.nodes, 1, 1, 1024, "nodes of the GPU step"),
	K_INT("slurm.gpu.cpus_per_task", slurm.gpu.cpus_per_task, 8, 1, 4096, "CPUs of the GPU step"),
	K_INT("slurm.gpu.mem_mb", slurm.gpu.mem_mb, 0, 0, INT_MAX,
	      "--mem in MiB; 0: the partition's default"),
	K_INT("slurm.gpu.time_limit_min", slurm.gpu.time_limit_min, 60, 1, 525600,
	      "time limit of the GPU step, minutes"),
	K_STRING("slurm.cpu.partition", slurm.cpu.partition, "cpu", nonempty,
		 "partition of the CPU step (het component 1)"),
	K_INT("slurm.cpu.tasks", slurm.cpu.tasks, 8, 1, 100000, "benchmark tasks (shards)"),
	K_INT("slurm.cpu.cpus_per_task", slurm.cpu.cpus_per_task, 4, 1, 4096,
	      "cores of a task: a kernel's threads"),
	K_INT("slurm.cpu.mem_mb", slurm.cpu.mem_mb, 0, 0, INT_MAX,
	      "--mem in MiB; 0: the partition's default"),
	K_INT("slurm.cpu.time_limit_min", slurm.cpu.time_limit_min, 60, 1, 525600,
	      "time limit of the CPU step, minutes"),
	K_BOOL("slurm.cpu.exclusive", slurm.cpu.exclusive, 1,
	       "whole nodes: no other job disturbs the timing"),
	K_INT("slurm.retry_max", slurm.retry_max, 2, 0, 100,
	      "follow-up CPU jobs for shards with no results"),
	K_INT("slurm.poll_interval_s", slurm.poll_interval_s, 5, 1, 3600,
	      "seconds between looks at a running job"),
	K_INT("slurm.done_grace_s", slurm.done_grace_s, 10, 0, 86400,
	      "seconds a job whose batch script has ended may linger before the iteration is recorded"),
	K_INT("slurm.task_stale_s", slurm.task_stale_s, 10, 4, 3600,
	      "a CPU task whose heartbeat is older than this is gone"),
	K_INT("slurm.status_interval_s", slurm.status_interval_s, 30, 1, 86400,
	      "seconds between lines saying what a waiting iteration waits for"),

	K_ENUM("gpu_step.command", gpu_step.command, "builtin", gpu_commands,
	       "builtin (C policy, no GPU), trl (TRL GRPOTrainer) or fixed (examples)"),
	K_INT("gpu_step.group_size", gpu_step.group_size, 8, 2, 1024,
	      "completions per prompt (G of GRPO)"),
	K_INT("gpu_step.prompts_per_iteration", gpu_step.prompts_per_iteration, 8, 1, 100000,
	      "prompts per iteration"),
	K_INT("gpu_step.rounds", gpu_step.rounds, 1, 1, 64,
	      "GRPO steps per iteration (one het job), each with its own completions and results"),
	K_BOOL("gpu_step.overlap", gpu_step.overlap, 0,
	       "builtin: draw round r+1 while round r is measured (one step off-policy)"),
	K_INT("gpu_step.keep_checkpoints", gpu_step.keep_checkpoints, 3, 0, 100000,
	      "complete checkpoints kept (the newest, plus the best by training reward); 0: all"),
	K_FLOAT("gpu_step.learning_rate", gpu_step.learning_rate, 0, 0, 1,
		"learning rate; 0: the command's own default"),
	K_FLOAT("gpu_step.clip", gpu_step.clip, 0.2, 0.001, 1, "clip range of the policy ratio"),
	K_FLOAT("gpu_step.kl_beta", gpu_step.kl_beta, 0.04, 0, 10,
		"weight of the KL penalty to the reference"),
	K_FLOAT("gpu_step.prior_bias", gpu_step.prior_bias, 1, 0, 20,
		"builtin: initial policy's logit on plain choices; 0: uniform"),
	K_STRING("gpu_step.model_path", gpu_step.model_path, "", NULL,
		 "local model directory (trl: required)"),
	K_STRING("gpu_step.python", gpu_step.python, "python3", nonempty,
		 "Python of the trl driver, e.g. VENV/bin/python"),
	K_STRING("gpu_step.args", gpu_step.args, "", shell_words,
		 "more flags of the trl driver (jobs/trl_driver.py), e.g. \"--lora --bf16\""),

	K_LIST("bench.shapes", bench.shapes, ((const char *const[]){"512x512x512", NULL}), 1, 8, shape,
	       "measured shapes MxNxK, at most 8"),
	K_FLOAT("bench.budget_s", bench.budget_s, 2, 0, 3600, "timing budget per shape, seconds"),
	K_FLOAT("bench.timeout_s", bench.timeout_s, 10, 0.01, 86400, "limit per kernel call, seconds"),
	K_FLOAT("bench.cv_percent", bench.cv_percent, 1, 0, 100,
		"repeat timed calls until the robust CV is this"),
	K_ENUM("bench.reward", bench.reward, "gflops", reward_modes,
	       "ok kernels: gflops, log (log2(1+GFLOPS)) or ratio"),
	K_FLOAT("bench.peak_gflops", bench.peak_gflops, 0, 0, 1e9,
		"above this is a defect; 0: detect the node's peak"),
	K_INT("bench.mem_limit_mb", bench.mem_limit_mb, 4096, 64, 16777216,
	      "address-space limit of a kernel, MiB"),
	K_STRING("bench.cc", bench.cc, "", shell_words, "kernel compiler; empty: the one configure found"),
	/* The job script passes the flags inside quotes: a quote in them would not survive. */
	K_STRING("bench.cflags", bench.cflags, BUILD_DEFAULT_CFLAGS, shell_words, "kernel compiler flags"),
	K_BOOL("bench.interleave", bench.interleave, 1,
	       "time a problem's kernels call by call in turn; false: one after another"),

	K_FLOAT("reward.rejected", reward.rejected, -100, -1e6, 0, "the policy forbids it"),
	K_FLOAT("reward.compile_error", reward.compile_error, -40, -1e6, 0, "the compiler failed"),
	K_FLOAT("reward.timeout", reward.timeout, -30, -1e6, 0, "ran past its limit"),
	K_FLOAT("reward.runtime_error", reward.runtime_error, -20, -1e6, 0, "crashed, killed, exited"),
	K_FLOAT("reward.wrong_answer", reward.wrong_answer, -10, -1e6, 0, "a check failed"),

	K_BOOL("sqd.elite_feedback", sqd.elite_feedback, 0,
	       "prompts start from the archive's best permitted kernel"),
	K_STRING("sqd.prompt_template", sqd.prompt_template, "templates/prompt.txt", nonempty,
		 "the prompt's template: a shipped one (templates/...) or a file of yours"),
};

#define NKEYS (sizeof keys / sizeof keys[0])

#define AT(c, k, T) ((T *)(void *)((char *)(c) + (k)->off))
#define AT_CONST(c, k, T) ((const T *)(const void *)((const char *)(c) + (k)->off))

static const struct key *key_find(const char *name)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (!strcmp(keys[i].name, name))
			return &keys[i];
	return NULL;
}

/* A group is a proper prefix, up to a dot, of some key. */
static int is_group(const char *path)
{
	size_t n = strlen(path);
	for (size_t i = 0; i < NKEYS; i++)
		if (!strncmp(keys[i].name, path, n) && keys[i].name[n] == '.')
			return 1;
	return 0;
}

static int choice_index(const struct key *k, const char *s)
{
	for (int i = 0; k->choices[i]; i++)
		if (!strcmp(k->choices[i], s))
			return i;
	return -1;
}

/* ---- defaults and freeing ---------------------------------------------------------------- */

static void list_free(struct config_list *l)
{
	for (int i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void config_defaults(struct perfrl_config *c)
{
	memset(c, 0, sizeof *c);
	for (size_t i = 0; i < NKEYS; i++) {
		const struct key *k = &keys[i];
		switch (k->type) {
		case T_STRING:
			*AT(c, k, char *) = util_xstrdup(k->sdef);
			break;
		case T_INT:
		case T_BOOL:
			*AT(c, k, int) = (int)k->def;
			break;
		case T_FLOAT:
			*AT(c, k, double) = k->def;
			break;
		case T_ENUM:
			*AT(c, k, int) = choice_index(k, k->sdef);
			break;
		case T_LIST: {
			struct config_list *l = AT(c, k, struct config_list);
			while (k->ldef[l->n])
				l->n++;
			l->v = util_xcalloc((size_t)l->n + 1, sizeof *l->v);
			for (int j = 0; j < l->n; j++)
				l->v[j] = util_xstrdup(k->ldef[j]);
			break;
		}
		}
	}
}

void config_free(struct perfrl_config *c)
{
	for (size_t i = 0; i < NKEYS; i++) {
		const struct key *k = &keys[i];
		if (k->type == T_STRING) {
			free(*AT(c, k, char *));
			*AT(c, k, char *) = NULL;
		} else if (k->type == T_LIST) {
			list_free(AT(c, k, struct config_list));
		}
	}
}

/* ---- integer literals beyond 32 bits ------------------------------------------------------- */

/* libconfig 1.5 reads an integer literal beyond 32 bits without a word and keeps its low bits
 * (4294967297 becomes 1, and 5000000000 for peak_gflops becomes 705032704). So the loader scans
 * the source for such literals, and a setting that has one gets the literal's own value. */
struct big {
	int line;       /* of the name of the setting it belongs to */
	char name[64];
	char text[40];  /* as written, for messages */
	double v;
};

struct scan {
	char *file;
	struct big *v;
	int n;
};

static void big_add(struct scan *sc, int line, const char *name, const char *b, const char *e)
{
	struct big *g;
	if (!line)
		return;
	sc->v = realloc(sc->v, (size_t)(sc->n + 1) * sizeof *sc->v);
	if (!sc->v)
		abort();
	g = &sc->v[sc->n++];
	g->line = line;
	snprintf(g->name, sizeof g->name, "%s", name);
	snprintf(g->text, sizeof g->text, "%.*s", (int)(e - b), b);
	g->v = strtod(g->text, NULL);
	if (g->text[0] == '0' && (g->text[1] == 'x' || g->text[1] == 'X'))
		g->v = (double)strtoull(g->text, NULL, 16);
}

#define NAME_CHAR(ch) (isalnum((unsigned char)(ch)) || (ch) == '_' || (ch) == '-' || (ch) == '*')

/* libconfig's lexical structure, as much as it takes to find numbers: strings, three kinds of
 * comments, names, numbers. */
static void scan_text(struct scan *sc, const char *p)
{
	int line = 1, name_line = 0;
	char name[64] = "";

	while (*p) {
		if (*p == '\n') {
			line++;
			p++;
		} else if (*p == '"') {
			for (p++; *p && *p != '"'; p++) {
				if (*p == '\\' && p[1])
					p++;
				if (*p == '\n')
					line++;
			}
			if (*p)
				p++;
		} else if (*p == '#' || (*p == '/' && p[1] == '/')) {
			while (*p && *p != '\n')
				p++;
		} else if (*p == '/' && p[1] == '*') {
			for (p += 2; *p && !(*p == '*' && p[1] == '/'); p++)
				if (*p == '\n')
					line++;
			if (*p)
				p += 2;
		} else if (isalpha((unsigned char)*p) || *p == '*' || *p == '@') {
			const char *b = p++;
			while (NAME_CHAR(*p))
				p++;
			snprintf(name, sizeof name, "%.*s", (int)(p - b), b);
			name_line = line;
		} else if (isdigit((unsigned char)*p) || *p == '.' ||
			   ((*p == '-' || *p == '+') && (isdigit((unsigned char)p[1]) || p[1] == '.'))) {
			const char *b = p, *q = p + (*p == '-' || *p == '+');
			char *end;
			int out;
			if (q[0] == '0' && (q[1] == 'x' || q[1] == 'X')) {
				unsigned long long u;
				errno = 0;
				u = strtoull(q, &end, 16);
				out = errno == ERANGE || u > 0xffffffffULL;
			} else {
				long long v;
				while (isdigit((unsigned char)*q))
					q++;
				if (*q == '.' || *q == 'e' || *q == 'E') { /* a float: libconfig reads it right */
					strtod(b, &end);
					p = end > b ? end : b + 1;
					continue;
				}
				errno = 0;
				v = strtoll(b, &end, 10);
				out = errno == ERANGE || v > INT_MAX || v < INT_MIN;
			}
			if (end == b) { /* a lone sign or dot */
				p = b + 1;
				continue;
			}
			p = end;
			if (*p == 'L') { /* an int64 literal: read right */
				while (*p == 'L')
					p++;
				continue;
			}
			if (out)
				big_add(sc, name_line, name, b, end);
		} else {
			p++;
		}
	}
}

/* ---- loading ------------------------------------------------------------------------------- */

struct load {
	const char *path;
	const char *dir;    /* of path, when it has one: where libconfig looks for @include files */
	char *err;
	size_t errlen;
	struct perfrl_config *c;
	const config_setting_t *where[NKEYS]; /* the setting of each key, when the file has it */
	struct scan *scans;
	int nscans;
};

/* The file that setting s came from. libconfig names an @include file as written, relative to
 * the include directory. */
static void file_of(const struct load *L, const config_setting_t *s, char *buf, size_t len)
{
	const char *f = config_setting_source_file(s);
	if (!f)
		snprintf(buf, len, "%s", L->path);
	else if (f[0] == '/' || !L->dir)
		snprintf(buf, len, "%s", f);
	else
		snprintf(buf, len, "%s%s%s", L->dir, L->dir[strlen(L->dir) - 1] == '/' ? "" : "/", f);
}

static int fail(struct load *L, const config_setting_t *s, const char *fmt, ...) UTIL_PRINTF(3, 4);
static int fail(struct load *L, const config_setting_t *s, const char *fmt, ...)
{
	va_list ap;
	char file[4096];
	int n;

	file_of(L, s, file, sizeof file);
	n = snprintf(L->err, L->errlen, "%s:%u: ", file, config_setting_source_line(s));
	if (n >= 0 && (size_t)n < L->errlen) {
		va_start(ap, fmt);
		vsnprintf(L->err + n, L->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* The big literal of a 32-bit integer setting, or NULL. */
static const struct big *big_of(struct load *L, const config_setting_t *s)
{
	const char *name = config_setting_name(s);
	struct scan *sc = NULL;
	char file[4096];

	if (!name)
		return NULL;
	file_of(L, s, file, sizeof file);
	for (int i = 0; i < L->nscans; i++)
		if (!strcmp(L->scans[i].file, file))
			sc = &L->scans[i];
	if (!sc) {
		char *text = util_read_file(file, 0, NULL);
		L->scans = realloc(L->scans, (size_t)(L->nscans + 1) * sizeof *L->scans);
		if (!L->scans)
			abort();
		sc = &L->scans[L->nscans++];
		*sc = (struct scan){util_xstrdup(file), NULL, 0};
		if (text)
			scan_text(sc, text);
		free(text);
	}
	for (int i = 0; i < sc->n; i++)
		if (sc->v[i].line == (int)config_setting_source_line(s) && !strcmp(sc->v[i].name, name))
			return &sc->v[i];
	return NULL;
}

static const char *type_name(const config_setting_t *s)
{
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_GROUP:
		return "a group";
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		return "an integer";
	case CONFIG_TYPE_FLOAT:
		return "a float";
	case CONFIG_TYPE_STRING:
		return "a string";
	case CONFIG_TYPE_BOOL:
		return "a boolean";
	case CONFIG_TYPE_ARRAY:
	case CONFIG_TYPE_LIST:
		return "a list";
	}
	return "nothing";
}

static int wrong_type(struct load *L, const struct key *k, const config_setting_t *s)
{
	static const char *const want[] = {
		[T_STRING] = "a string", [T_INT] = "an integer", [T_FLOAT] = "a number",
		[T_BOOL] = "a boolean (true or false)", [T_ENUM] = "a string",
		[T_LIST] = "a list of strings",
	};
	return fail(L, s, "'%s' must be %s, not %s", k->name, want[k->type], type_name(s));
}

static void bound(char *buf, size_t len, const struct key *k, double v)
{
	snprintf(buf, len, k->type == T_INT ? "%.0f" : "%g", v);
}

static int set_number(struct load *L, const struct key *k, const config_setting_t *s)
{
	int t = config_setting_type(s);
	const struct big *g = NULL;
	char text[48], lo[32], hi[32];
	double v;

	if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64 && !(k->type == T_FLOAT && t == CONFIG_TYPE_FLOAT))
		return wrong_type(L, k, s);
	if (t == CONFIG_TYPE_INT)
		g = big_of(L, s);
	if (g) {
		v = g->v;
		snprintf(text, sizeof text, "%s", g->text);
	} else if (t == CONFIG_TYPE_FLOAT) {
		v = config_setting_get_float(s);
		snprintf(text, sizeof text, "%g", v);
	} else {
		long long i = config_setting_get_int64(s);
		v = (double)i;
		snprintf(text, sizeof text, "%lld", i);
	}
	if (!(v >= k->min && v <= k->max)) {
		bound(lo, sizeof lo, k, k->min);
		bound(hi, sizeof hi, k, k->max);
		return fail(L, s, "'%s' = %s is out of range %s..%s", k->name, text, lo, hi);
	}
	if (k->type == T_INT)
		*AT(L->c, k, int) = (int)v;
	else
		*AT(L->c, k, double) = v;
	return 0;
}

static int set_enum(struct load *L, const struct key *k, const config_setting_t *s)
{
	const char *v = config_setting_get_string(s);
	char list[256] = "";
	int i = choice_index(k, v);

	if (i >= 0) {
		*AT(L->c, k, int) = i;
		return 0;
	}
	for (int j = 0; k->choices[j]; j++) {
		size_t n = strlen(list);
		snprintf(list + n, sizeof list - n, "%s\"%s\"",
			 !j ? "" : k->choices[j + 1] ? ", " : " or ", k->choices[j]);
	}
	return fail(L, s, "'%s' must be %s, not \"%s\"", k->name, list, v);
}

static int set_list(struct load *L, const struct key *k, const config_setting_t *s)
{
	int n = config_setting_length(s);
	struct config_list l = {NULL, 0};
	char lo[32], hi[32];

	if (n < k->min || n > k->max) {
		bound(lo, sizeof lo, &(struct key){.type = T_INT}, k->min);
		bound(hi, sizeof hi, &(struct key){.type = T_INT}, k->max);
		return fail(L, s, "'%s' must have %s to %s elements, not %d", k->name, lo, hi, n);
	}
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		const char *v, *why;
		if (config_setting_type(e) != CONFIG_TYPE_STRING)
			return fail(L, e, "'%s' element %d must be a string, not %s", k->name, i + 1,
				    type_name(e));
		v = config_setting_get_string(e);
		why = k->check ? k->check(v) : NULL;
		if (why)
			return fail(L, e, "'%s' element %d (\"%s\") %s", k->name, i + 1, v, why);
	}
	l.v = util_xcalloc((size_t)n + 1, sizeof *l.v);
	for (l.n = 0; l.n < n; l.n++)
		l.v[l.n] = util_xstrdup(config_setting_get_string(config_setting_get_elem(s, (unsigned)l.n)));
	list_free(AT(L->c, k, struct config_list));
	*AT(L->c, k, struct config_list) = l;
	return 0;
}

static int set_key(struct load *L, const struct key *k, const config_setting_t *s)
{
	int t = config_setting_type(s);
	const char *v, *why;

	L->where[k - keys] = s;
	switch (k->type) {
	case T_STRING:
		if (t != CONFIG_TYPE_STRING)
			return wrong_type(L, k, s);
		v = config_setting_get_string(s);
		why = k->check ? k->check(v) : NULL;
		if (why)
			return fail(L, s, "'%s' %s", k->name, why);
		free(*AT(L->c, k, char *));
		*AT(L->c, k, char *) = util_xstrdup(v);
		return 0;
	case T_INT:
	case T_FLOAT:
		return set_number(L, k, s);
	case T_BOOL:
		if (t != CONFIG_TYPE_BOOL)
			return wrong_type(L, k, s);
		*AT(L->c, k, int) = config_setting_get_bool(s) != 0;
		return 0;
	case T_ENUM:
		if (t != CONFIG_TYPE_STRING)
			return wrong_type(L, k, s);
		return set_enum(L, k, s);
	case T_LIST:
		if (t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST)
			return wrong_type(L, k, s);
		return set_list(L, k, s);
	}
	return -1;
}

static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[256], prev, cur;
	if (la > 255 || lb > 255)
		return SIZE_MAX;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			cur = row[j];
			row[j] = prev + (a[i - 1] != b[j - 1]);
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			if (cur + 1 < row[j])
				row[j] = cur + 1;
			prev = cur;
		}
	}
	return row[lb];
}

static const char *leaf(const char *path)
{
	const char *d = strrchr(path, '.');
	return d ? d + 1 : path;
}

/* " (did you mean 'X'?)" for the nearest key or group; failing that, the keys and groups with the
 * same last name ("partition" at the top: 'slurm.gpu.partition' or 'slurm.cpu.partition'). */
static void suggest(const char *path, char *out, size_t len)
{
	char best[256] = "", *same[4];
	size_t nsame = 0, bestd = SIZE_MAX, n;

	for (size_t i = 0; i < NKEYS; i++) {
		char buf[256], *dot;
		/* the key, then each of its groups: "slurm.gpu.partition", "slurm.gpu", "slurm" */
		snprintf(buf, sizeof buf, "%s", keys[i].name);
		for (;;) {
			size_t d = edit_distance(path, buf);
			int dup = 0;
			if (d < bestd) {
				bestd = d;
				snprintf(best, sizeof best, "%s", buf);
			}
			for (size_t j = 0; j < nsame; j++)
				dup |= !strcmp(same[j], buf);
			if (!dup && nsame < 4 && !strcmp(leaf(buf), leaf(path)))
				same[nsame++] = util_xstrdup(buf);
			if (!(dot = strrchr(buf, '.')))
				break;
			*dot = '\0';
		}
	}
	*out = '\0';
	if (bestd <= 1 + strlen(path) / 8) {
		snprintf(out, len, " (did you mean '%s'?)", best);
	} else if (nsame) {
		snprintf(out, len, " (did you mean '%s'", same[0]);
		for (size_t j = 1; j < nsame; j++) {
			n = strlen(out);
			snprintf(out + n, len - n, " or '%s'", same[j]);
		}
		n = strlen(out);
		snprintf(out + n, len - n, "?)");
	}
	for (size_t j = 0; j < nsame; j++)
		free(same[j]);
}

static int walk(struct load *L, const config_setting_t *g, const char *prefix)
{
	int n = config_setting_length(g);

	for (int i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		const struct key *k;
		char path[256], hint[512];

		snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", config_setting_name(s));
		if ((k = key_find(path))) {
			if (set_key(L, k, s) != 0)
				return -1;
		} else if (is_group(path)) {
			if (!config_setting_is_group(s))
				return fail(L, s, "'%s' must be a group ({ ... }), not %s", path, type_name(s));
			if (walk(L, s, path) != 0)
				return -1;
		} else {
			suggest(path, hint, sizeof hint);
			return fail(L, s, "unknown key '%s'%s", path, hint);
		}
	}
	return 0;
}

/* What one key cannot say alone. */
static int cross_check(struct load *L)
{
	const struct key *cmd = key_find("gpu_step.command");
	const config_setting_t *s = L->where[cmd - keys];

	if (s && L->c->gpu_step.command == CONFIG_GPU_TRL && !*L->c->gpu_step.model_path)
		return fail(L, s, "gpu_step.command \"trl\" needs 'gpu_step.model_path'");
	return 0;
}

static int load_file(struct load *L, FILE *fp)
{
	config_t cf;
	char *dir = util_xstrdup(L->path), *slash = strrchr(dir, '/');
	int rc = 0;

	config_init(&cf);
	/* @include "x.conf" is relative to the including file's directory, not to the cwd. */
	if (slash) {
		slash[slash == dir] = '\0';
		config_set_include_dir(&cf, dir);
		L->dir = dir;
	}
	if (!config_read(&cf, fp)) {
		const char *f = config_error_file(&cf);
		snprintf(L->err, L->errlen, "%s%s%s:%d: %s", f && f[0] != '/' && L->dir ? L->dir : "",
			 f && f[0] != '/' && L->dir ? "/" : "", f ? f : L->path, config_error_line(&cf),
			 config_error_text(&cf));
		rc = -1;
	} else {
		rc = walk(L, config_root_setting(&cf), "");
		if (rc == 0)
			rc = cross_check(L);
	}
	config_destroy(&cf);
	L->dir = NULL;
	free(dir);
	return rc;
}

int config_load(const char *path, struct perfrl_config *c, char *err, size_t errlen)
{
	char dummy[1];
	struct load L = {.path = path, .err = err && errlen ? err : dummy,
			 .errlen = err && errlen ? errlen : sizeof dummy, .c = c};
	struct stat st;
	FILE *fp;
	int rc;

	*L.err = '\0';
	config_defaults(c);
	if (!path)
		return 0;
	fp = fopen(path, "r");
	if (!fp || (fstat(fileno(fp), &st) == 0 && S_ISDIR(st.st_mode))) {
		snprintf(L.err, L.errlen, "%s: %s", path, strerror(fp ? EISDIR : errno));
		if (fp)
			fclose(fp);
		config_free(c);
		return -1;
	}
	rc = load_file(&L, fp);
	fclose(fp);
	for (int i = 0; i < L.nscans; i++) {
		free(L.scans[i].file);
		free(L.scans[i].v);
	}
	free(L.scans);
	if (rc != 0)
		config_free(c);
	return rc;
}

/* ---- printing ------------------------------------------------------------------------------ */

static void put_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		case '\f':
			fputs("\\f", f);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(f, "\\x%02x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

/* The shortest text that reads back as the same double, as a float (not an int) to libconfig;
 * plain digits when they are short ("10.0", "0.04"), an exponent otherwise. */
static void put_float(FILE *f, double v)
{
	char buf[48], fixed[48] = "";
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, sizeof buf, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	for (int prec = 0; prec <= 12; prec++) {
		snprintf(fixed, sizeof fixed, "%.*f", prec, v);
		if (strtod(fixed, NULL) == v)
			break;
		fixed[0] = '\0';
	}
	if (fixed[0] && strlen(fixed) <= 12)
		snprintf(buf, sizeof buf, "%s", fixed);
	fputs(buf, f);
	if (!strpbrk(buf, ".eEin"))
		fputs(".0", f);
}

static void put_value(FILE *f, const struct key *k, const struct perfrl_config *c)
{
	switch (k->type) {
	case T_STRING:
		put_string(f, *AT_CONST(c, k, char *));
		break;
	case T_INT:
		fprintf(f, "%d", *AT_CONST(c, k, int));
		break;
	case T_BOOL:
		fputs(*AT_CONST(c, k, int) ? "true" : "false", f);
		break;
	case T_FLOAT:
		put_float(f, *AT_CONST(c, k, double));
		break;
	case T_ENUM: {
		int i = *AT_CONST(c, k, int), n = 0;
		while (k->choices[n])
			n++;
		put_string(f, i >= 0 && i < n ? k->choices[i] : "?");
		break;
	}
	case T_LIST: {
		const struct config_list *l = AT_CONST(c, k, struct config_list);
		fputc('[', f);
		for (int i = 0; i < l->n; i++) {
			if (i)
				fputs(", ", f);
			put_string(f, l->v[i]);
		}
		fputc(']', f);
		break;
	}
	}
}

static int same_value(const struct key *k, const struct perfrl_config *a, const struct perfrl_config *b)
{
	switch (k->type) {
	case T_STRING:
		return !strcmp(*AT_CONST(a, k, char *), *AT_CONST(b, k, char *));
	case T_INT:
	case T_BOOL:
	case T_ENUM:
		return *AT_CONST(a, k, int) == *AT_CONST(b, k, int);
	case T_FLOAT:
		return *AT_CONST(a, k, double) == *AT_CONST(b, k, double);
	case T_LIST: {
		const struct config_list *x = AT_CONST(a, k, struct config_list),
					 *y = AT_CONST(b, k, struct config_list);
		if (x->n != y->n)
			return 0;
		for (int i = 0; i < x->n; i++)
			if (strcmp(x->v[i], y->v[i]))
				return 0;
		return 1;
	}
	}
	return 0;
}

/* The number of names in a dotted path. */
static int depth_of(const char *path)
{
	int d = *path != '\0';
	for (const char *p = path; *p; p++)
		d += *p == '.';
	return d;
}

/* Close the groups in open that do not hold group g, then open those of g that are not open. */
static void enter_group(FILE *f, char *open, size_t len, const char *g)
{
	size_t n;

	for (;;) {
		char *dot;
		n = strlen(open);
		if (n == 0 || (!strncmp(g, open, n) && (g[n] == '\0' || g[n] == '.')))
			break;
		fprintf(f, "%*s};\n", 2 * (depth_of(open) - 1), "");
		dot = strrchr(open, '.');
		*(dot ? dot : open) = '\0';
	}
	while (strcmp(open, g)) {
		const char *next = g + n + (n > 0);
		int l = (int)strcspn(next, ".");
		if (n == 0)
			fputc('\n', f);
		fprintf(f, "%*s%.*s = {\n", 2 * depth_of(open), "", l, next);
		snprintf(open + n, len - n, "%s%.*s", n ? "." : "", l, next);
		n = strlen(open);
	}
}

int config_print(FILE *f, const struct perfrl_config *c)
{
	struct perfrl_config d;
	char open[256] = "";

	config_defaults(&d);
	fputs("# perfrl configuration (libconfig syntax); see perfrl.conf(5).\n", f);
	for (size_t i = 0; i < NKEYS; i++) {
		const struct key *k = &keys[i];
		const char *name = leaf(k->name);
		char group[256], *line = NULL;
		size_t linelen = 0;
		FILE *m;

		snprintf(group, sizeof group, "%.*s", (int)(name == k->name ? 0 : name - k->name - 1),
			 k->name);
		enter_group(f, open, sizeof open, group);
		m = open_memstream(&line, &linelen);
		if (!m)
			abort();
		fprintf(m, "%*s%s = ", 2 * (depth_of(k->name) - 1), "", name);
		put_value(m, k, c);
		fputc(';', m);
		fclose(m);
		fprintf(f, "%-39s # %s", line, k->doc);
		if (!same_value(k, c, &d)) {
			fputs(" (default: ", f);
			put_value(f, k, &d);
			fputc(')', f);
		}
		fputc('\n', f);
		free(line);
	}
	enter_group(f, open, sizeof open, "");
	config_free(&d);
	return ferror(f) ? -1 : 0;
}
