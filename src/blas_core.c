/* blas_core.c - which OpenBLAS core runs here, and choosing the fastest correct one. */
#include "config.h"
#include "blas_core.h"
#include "machine.h"
#include "stats.h"
#include "util.h"

#include <cblas.h>
#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <jansson.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

char *openblas_get_corename(void);
char *openblas_get_config(void);
void openblas_set_num_threads(int num_threads);

/* The cores worth trying, widest ISA first, with the CPU flags each one's kernels execute.
 * Cores of the CPU's widest tier are the ones OpenBLAS should have picked itself. */
static const struct candidate {
	const char *core;
	int tier; /* 2: AVX-512, 1: AVX2 */
	const char *needs[4];
} candidates[] = {
	{"SapphireRapids", 2, {"avx512f", "avx512bw", "avx512_bf16", "amx_tile"}},
	{"Cooperlake", 2, {"avx512f", "avx512bw", "avx512vl", "avx512_bf16"}},
	{"SkylakeX", 2, {"avx512f", "avx512bw", "avx512vl", "avx512dq"}},
	{"Haswell", 1, {"avx2", "fma", NULL, NULL}},
	{"Zen", 1, {"avx2", "fma", NULL, NULL}},
};
#define NCAND (sizeof candidates / sizeof candidates[0])

const char *blascore_name(void)
{
	return openblas_get_corename();
}

const char *blascore_config(void)
{
	return openblas_get_config();
}

const char *blascore_how(void)
{
	const char *set = getenv("OPENBLAS_CORETYPE"), *chosen = getenv("PERFRL_OPENBLAS_CHOSEN");
	if (!set || !*set)
		return "default";
	return chosen && !strcmp(chosen, set) ? "chosen" : "user";
}

/* ---- the probe: runs in a child, with OPENBLAS_CORETYPE set ---------------------------- */

/* 1 when C = A B within the rounding a correct dgemm can make (the plain loop's |A||B| bound). */
static int probe_check(int m, int n, int k, char *detail, size_t len)
{
	double *A = util_xmalloc((size_t)m * k * sizeof *A), *B = util_xmalloc((size_t)k * n * sizeof *B),
	       *C = util_xmalloc((size_t)m * n * sizeof *C);
	int ok = 1;
	uint64_t x = (uint64_t)(m * 131 + n * 17 + k);
	for (size_t i = 0; i < (size_t)m * k; i++)
		A[i] = (double)(util_splitmix64(&x) >> 11) * 0x1p-53 - 0.5;
	for (size_t i = 0; i < (size_t)k * n; i++)
		B[i] = (double)(util_splitmix64(&x) >> 11) * 0x1p-53 - 0.5;
	for (size_t i = 0; i < (size_t)m * n; i++)
		C[i] = NAN; /* beta = 0 must overwrite, never read */
	cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0, A, k, B, n, 0.0, C, n);
	for (int i = 0; i < m && ok; i++)
		for (int j = 0; j < n && ok; j++) {
			double s = 0, a = 0;
			for (int l = 0; l < k; l++) {
				s += A[(size_t)i * k + l] * B[(size_t)l * n + j];
				a += fabs(A[(size_t)i * k + l] * B[(size_t)l * n + j]);
			}
			if (!(fabs(C[(size_t)i * n + j] - s) <= 2.0 * k * DBL_EPSILON * a + DBL_MIN)) {
				snprintf(detail, len, "wrong result at C[%d][%d] for shape %dx%dx%d", i, j, m,
					 n, k);
				ok = 0;
			}
		}
	free(A);
	free(B);
	free(C);
	return ok;
}

int blascore_probe_main(int argc, char **argv)
{
	/* Odd shapes: tails in every dimension, a k past common block depths, a single row. */
	static const int shapes[][3] = {{1, 1, 1}, {37, 53, 71}, {129, 67, 300}, {200, 3, 257}, {5, 190, 33}};
	const int n = 384;
	long threads = machine_cpus();
	int reps = 0, correct = 1;
	double *A, *B, *C, t[200], until, g = 0;
	char detail[160] = "";
	json_t *out;

	if (argc > 1 && util_parse_long(argv[1], 1, 4096, &threads) != 0)
		return util_usage_error("bad thread count '%s'", argv[1]);
	openblas_set_num_threads((int)threads);
	for (size_t i = 0; i < sizeof shapes / sizeof shapes[0] && correct; i++)
		correct = probe_check(shapes[i][0], shapes[i][1], shapes[i][2], detail, sizeof detail);
	if (correct) {
		A = util_xcalloc((size_t)n * n, sizeof *A);
		B = util_xcalloc((size_t)n * n, sizeof *B);
		C = util_xcalloc((size_t)n * n, sizeof *C);
		for (size_t i = 0; i < (size_t)n * n; i++)
			A[i] = B[i] = (double)(i % 23) / 23.0 - 0.5;
		for (int w = 0; w < 2; w++)
			cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, A, n, B, n, 0.0, C, n);
		until = util_now() + 0.3;
		while (reps < 5 || (util_now() < until && reps < (int)(sizeof t / sizeof *t))) {
			double t0 = util_now();
			cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, A, n, B, n, 0.0, C, n);
			t[reps++] = util_now() - t0;
		}
		g = 2.0 * n * n * n / stats_median(t, (size_t)reps) / 1e9;
		free(A);
		free(B);
		free(C);
	}
	out = json_pack("{s:s, s:b, s:s, s:f}", "core", openblas_get_corename(), "correct", correct,
			"detail", detail, "gflops", g);
	json_dumpf(out, stdout, JSON_COMPACT);
	putchar('\n');
	json_decref(out);
	return 0;
}

/* ---- choosing ------------------------------------------------------------------------- */

static int runnable(const struct candidate *c)
{
	for (int i = 0; i < 4 && c->needs[i]; i++)
		if (!machine_has_flag(c->needs[i]))
			return 0;
	return 1;
}

/* Run `perfrl blas-probe` with OPENBLAS_CORETYPE=core (NULL: OpenBLAS's own choice). NULL when
 * the child crashed (an illegal instruction), hung or said nothing readable. */
static json_t *probe(const char *core, int threads)
{
	int pfd[2], st = 0;
	char buf[1024], th[16];
	size_t n = 0;
	double deadline = util_now() + 60;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) != 0)
		return NULL;
	snprintf(th, sizeof th, "%d", threads);
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return NULL;
	}
	if (pid == 0) {
		char *args[] = {"perfrl", "blas-probe", th, NULL};
		dup2(pfd[1], 1);
		if (core)
			setenv("OPENBLAS_CORETYPE", core, 1);
		else
			unsetenv("OPENBLAS_CORETYPE");
		execv("/proc/self/exe", args);
		_exit(127);
	}
	close(pfd[1]);
	for (;;) {
		struct pollfd pf = {pfd[0], POLLIN, 0};
		double left = deadline - util_now();
		ssize_t got;
		if (left <= 0 || poll(&pf, 1, (int)(left * 1000) + 1) == 0) {
			kill(pid, SIGKILL);
			break;
		}
		got = read(pfd[0], buf + n, sizeof buf - 1 - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0 || (n += (size_t)got) >= sizeof buf - 1)
			break;
	}
	close(pfd[0]);
	buf[n] = '\0';
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return NULL;
	return json_loads(buf, JSON_DISABLE_EOF_CHECK, NULL);
}

/* The probes, or the cached verdict for this key. Returns the chosen core (borrowed from *doc),
 * or NULL when OpenBLAS's own choice stays; *fresh says whether this call probed. */
static const char *choose(const char *key, const char *deflt, json_t **doc,
			  int *fresh)
{
	char path[600];
	int fd = -1, threads = machine_cpus();
	json_t *probes, *j;
	size_t i;
	double best = 0, base = 0;
	const char *chosen = NULL;

	*fresh = 0;
	*doc = NULL;
	if (machine_cache_file("openblas-core", path, sizeof path)) {
		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
		/* One prober per node: the other shards wait for its verdict. */
		if (fd >= 0)
			while (flock(fd, LOCK_EX) != 0 && errno == EINTR)
				;
		if (fd >= 0 && (*doc = json_load_file(path, 0, NULL)) &&
		    strcmp(json_string_value(json_object_get(*doc, "key")) ?: "", key) != 0) {
			json_decref(*doc);
			*doc = NULL;
		}
	}
	if (!*doc) {
		*fresh = 1;
		*doc = json_pack("{s:s, s:s, s:[]}", "key", key, "default", deflt, "probes");
		probes = json_object_get(*doc, "probes");
		if ((j = probe(NULL, threads)))
			json_array_append_new(probes, j);
		for (i = 0; i < NCAND; i++) {
			if (!runnable(&candidates[i]) || !strcasecmp(candidates[i].core, deflt))
				continue;
			j = probe(candidates[i].core, threads);
			if (!j)
				j = json_pack("{s:s, s:b, s:s, s:f}", "core", candidates[i].core, "correct", 0,
					      "detail", "the probe crashed or hung", "gflops", 0.0);
			else if (strcasecmp(json_string_value(json_object_get(j, "core")) ?: "",
					    candidates[i].core) != 0) {
				/* OpenBLAS fell back to another core: this library does not have it. */
				json_decref(j);
				j = json_pack("{s:s, s:b, s:s, s:f}", "core", candidates[i].core, "correct",
					      0, "detail", "not in this OpenBLAS", "gflops", 0.0);
			}
			json_array_append_new(probes, j);
		}
		if (fd >= 0) {
			char *s = json_dumps(*doc, JSON_INDENT(1));
			if (s && (ftruncate(fd, 0) != 0 || pwrite(fd, s, strlen(s), 0) < 0))
				util_error("cannot write %s: %s", path, strerror(errno));
			free(s);
		}
	}
	if (fd >= 0)
		close(fd);
	json_array_foreach(json_object_get(*doc, "probes"), i, j) {
		const char *core = json_string_value(json_object_get(j, "core"));
		double g = json_number_value(json_object_get(j, "gflops"));
		if (!core || !json_is_true(json_object_get(j, "correct")))
			continue;
		if (!strcasecmp(core, deflt))
			base = g;
		else if (g > best) {
			best = g;
			chosen = core;
		}
	}
	/* Another core must win clearly: a probe's noise is not a reason to leave the default. */
	return chosen && best > 1.1 * base ? chosen : NULL;
}

void blascore_ensure(char **argv)
{
	const char *deflt = openblas_get_corename(), *set = getenv("OPENBLAS_CORETYPE");
	const struct machine_cpu *cpu = machine_cpu();
	char *key;
	int tier = 0, fresh = 0;
	json_t *doc = NULL;
	const char *chosen;

	if ((set && *set) || getenv("PERFRL_OPENBLAS_CHOSEN"))
		return; /* the user's choice wins; or this process is the re-executed one */
	for (size_t i = 0; i < NCAND; i++)
		if (runnable(&candidates[i]) && candidates[i].tier > tier)
			tier = candidates[i].tier;
	for (size_t i = 0; i < NCAND; i++)
		if (candidates[i].tier == tier && !strcasecmp(candidates[i].core, deflt))
			tier = 0; /* OpenBLAS already runs a core of the CPU's widest ISA */
	if (tier == 0)
		return;
	key = util_xasprintf("%s|%s|%s|%s", util_hostname(), cpu->model, openblas_get_config(), cpu->flags);
	chosen = choose(key, deflt, &doc, &fresh);
	if (fresh) {
		size_t i;
		json_t *j;
		fprintf(stderr, "perfrl: OpenBLAS runs its generic %s core on this CPU (%s);", deflt, cpu->model);
		json_array_foreach(json_object_get(doc, "probes"), i, j)
			if (json_is_true(json_object_get(j, "correct")))
				fprintf(stderr, "%s%s %.1f GFLOPS", i ? ", " : " ",
					json_string_value(json_object_get(j, "core")),
					json_number_value(json_object_get(j, "gflops")));
			else
				fprintf(stderr, "%s%s refused (%s)", i ? ", " : " ",
					json_string_value(json_object_get(j, "core")),
					json_string_value(json_object_get(j, "detail")));
		if (chosen)
			fprintf(stderr, " at 384^3: using %s (verified on odd shapes; OPENBLAS_CORETYPE "
					"overrides)\n", chosen);
		else
			fprintf(stderr, ": no other core does better, keeping %s\n", deflt);
	}
	if (chosen) {
		setenv("OPENBLAS_CORETYPE", chosen, 1);
		setenv("PERFRL_OPENBLAS_CHOSEN", chosen, 1);
		fflush(NULL);
		execv("/proc/self/exe", argv);
		util_error("cannot re-execute with OPENBLAS_CORETYPE=%s: %s; OpenBLAS stays on %s",
			   chosen, strerror(errno), deflt);
		unsetenv("OPENBLAS_CORETYPE");
		unsetenv("PERFRL_OPENBLAS_CHOSEN");
	}
	json_decref(doc);
	free(key);
}
