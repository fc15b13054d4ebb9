/* baseline.c - BLAS libraries timed on this node, in this process (they are the baselines, not
 * submissions), with the same GFLOPS arithmetic as the kernels. */
#include "config.h"
#include "baseline.h"
#include "blas_core.h"
#include "stats.h"
#include "util.h"

#include <blis.h>
#include <cblas.h>
#include <dlfcn.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

void openblas_set_num_threads(int num_threads);

/* One library's dgemm on row-major A (m x k), B (k x n) into C. */
struct gemm {
	void (*call)(const struct gemm *g, int m, int n, int k, const double *A, const double *B,
		     double *C);
	__typeof__(cblas_dgemm) *cblas;      /* OpenBLAS, MKL */
	__typeof__(bli_dgemm) *bli;          /* BLIS's typed API (its cblas would be OpenBLAS's) */
};

static void call_cblas(const struct gemm *g, int m, int n, int k, const double *A,
		       const double *B, double *C)
{
	g->cblas(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0, A, k, B, n, 0.0, C, n);
}

static void call_bli(const struct gemm *g, int m, int n, int k, const double *A, const double *B,
		     double *C)
{
	double one = 1.0, zero = 0.0;
	g->bli(BLIS_NO_TRANSPOSE, BLIS_NO_TRANSPOSE, m, n, k, &one, (double *)A, k, 1, (double *)B, n,
	       1, &zero, C, n, 1);
}

/* The first of names that loads. Kept open for the process's life: a library's threads may
 * outlive the call. RTLD_LOCAL: its symbols never replace OpenBLAS's for anyone else. */
static void *load_first(const char *const *names, char *which, size_t len)
{
	for (; *names; names++) {
		void *h = dlopen(*names, RTLD_NOW | RTLD_LOCAL);
		if (h) {
			snprintf(which, len, "%s", *names);
			return h;
		}
	}
	return NULL;
}

static int setup_blis(struct gemm *g, int threads, struct baseline_result *r)
{
	static const char *const names[] = {"libblis.so.4", "libblis.so", NULL};
	char so[64];
	void *h = load_first(names, so, sizeof so);
	__typeof__(bli_thread_set_num_threads) *set_threads;
	__typeof__(bli_info_get_version_str) *version;
	__typeof__(bli_arch_query_id) *arch_id;
	__typeof__(bli_arch_string) *arch_name;

	if (!h) {
		snprintf(r->detail, sizeof r->detail, "BLIS is not installed (apt-get install libblis-dev)");
		return 0;
	}
	g->bli = (__typeof__(bli_dgemm) *)dlsym(h, "bli_dgemm");
	set_threads = (__typeof__(set_threads))dlsym(h, "bli_thread_set_num_threads");
	version = (__typeof__(version))dlsym(h, "bli_info_get_version_str");
	arch_id = (__typeof__(arch_id))dlsym(h, "bli_arch_query_id");
	arch_name = (__typeof__(arch_name))dlsym(h, "bli_arch_string");
	if (!g->bli || !set_threads || !version || !arch_id || !arch_name) {
		snprintf(r->detail, sizeof r->detail, "%s lacks the BLIS API perfrl calls", so);
		return 0;
	}
	g->call = call_bli;
	set_threads(threads);
	snprintf(r->version, sizeof r->version, "BLIS %s", version());
	/* BLIS picks its kernels by CPU features: this is the configuration that runs. */
	snprintf(r->core, sizeof r->core, "%s", arch_name(arch_id()));
	snprintf(r->core_how, sizeof r->core_how, "default");
	return 1;
}

static int setup_mkl(struct gemm *g, int threads, struct baseline_result *r)
{
	static const char *const names[] = {"libmkl_rt.so.2", "libmkl_rt.so.1", "libmkl_rt.so", NULL};
	char so[64], buf[96] = "";
	void *h = load_first(names, so, sizeof so);
	void (*set_threads)(int);
	void (*version)(char *, int);

	if (!h) {
		snprintf(r->detail, sizeof r->detail, "MKL is not installed (optional)");
		return 0;
	}
	g->cblas = (__typeof__(cblas_dgemm) *)dlsym(h, "cblas_dgemm");
	set_threads = (void (*)(int))dlsym(h, "MKL_Set_Num_Threads");
	version = (void (*)(char *, int))dlsym(h, "MKL_Get_Version_String");
	if (!g->cblas || !set_threads) {
		snprintf(r->detail, sizeof r->detail, "%s lacks cblas_dgemm or MKL_Set_Num_Threads", so);
		return 0;
	}
	g->call = call_cblas;
	set_threads(threads);
	if (version)
		version(buf, (int)sizeof buf);
	snprintf(r->version, sizeof r->version, "%.90s", *buf ? buf : so);
	snprintf(r->core, sizeof r->core, "dispatched by MKL");
	snprintf(r->core_how, sizeof r->core_how, "%s", getenv("MKL_ENABLE_INSTRUCTIONS") ? "user" : "default");
	return 1;
}

/* A second library's result on an odd shape against OpenBLAS's (whose core blas_core.c
 * verified): a wrong library is said so and never becomes a baseline. */
static int agrees(const struct gemm *g, struct baseline_result *r)
{
	enum { M = 67, N = 45, K = 301 };
	static double A[M * K], B[K * N], C[M * N], ref[M * N];
	for (int i = 0; i < M * K; i++)
		A[i] = (double)(i % 29) / 29.0 - 0.5;
	for (int i = 0; i < K * N; i++)
		B[i] = (double)(i % 31) / 31.0 - 0.5;
	cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, N, K, 1.0, A, K, B, N, 0.0, ref, N);
	g->call(g, M, N, K, A, B, C);
	for (int i = 0; i < M * N; i++)
		if (!(fabs(C[i] - ref[i]) <= 1e-12 * K)) {
			snprintf(r->detail, sizeof r->detail,
				 "%.60s (%.40s) gave a wrong result on %dx%dx%d: not used", r->version, r->core,
				 M, N, K);
			r->available = 0;
			return 0;
		}
	return 1;
}

static int time_library(enum baseline_lib lib, const struct shape *s, int threads, double budget_s,
			struct baseline_result *r);

/*
 * BLIS and MKL run in a child process: their thread pools (BLIS's libgomp, loaded late) never
 * share perfrl's process, whose exit they would outlive (LeakSanitizer's thread walk crashed
 * on them), and a library that crashes is a record, not perfrl's death.
 */
static int in_child(enum baseline_lib lib, const struct shape *s, int threads, double budget_s,
		    struct baseline_result *r)
{
	/* What the child sends back: its result, and time_library's return and errno. */
	struct {
		struct baseline_result r;
		int rc, err;
	} msg;
	int pfd[2], st = 0;
	ssize_t got = 0, n;
	pid_t pid;

	if (pipe(pfd) != 0)
		return -1;
	fflush(NULL);
	if ((pid = fork()) < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (pid == 0) {
		close(pfd[0]);
		memset(&msg, 0, sizeof msg);
		msg.rc = time_library(lib, s, threads, budget_s, &msg.r);
		msg.err = errno;
		(void)!write(pfd[1], &msg, sizeof msg);
		_exit(0);
	}
	close(pfd[1]);
	while (got < (ssize_t)sizeof msg && ((n = read(pfd[0], (char *)&msg + got, sizeof msg - got)) > 0 ||
					     (n < 0 && errno == EINTR)))
		got += n > 0 ? n : 0;
	close(pfd[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (got != (ssize_t)sizeof msg) {
		memset(r, 0, sizeof *r);
		r->library = lib == BASELINE_BLIS ? "blis" : "mkl";
		r->threads = threads;
		snprintf(r->detail, sizeof r->detail, "the %s baseline died (wait status %#x)",
			 r->library, st);
		return 0;
	}
	*r = msg.r;
	errno = msg.err;
	return msg.rc;
}

int baseline_library(enum baseline_lib lib, const struct shape *s, int threads, double budget_s,
		     struct baseline_result *r)
{
	return lib == BASELINE_OPENBLAS ? time_library(lib, s, threads, budget_s, r)
					: in_child(lib, s, threads, budget_s, r);
}

static int time_library(enum baseline_lib lib, const struct shape *s, int threads, double budget_s,
			struct baseline_result *r)
{
	size_t m = (size_t)s->m, n = (size_t)s->n, k = (size_t)s->k;
	double *A, *B, *C, t[4096], until;
	struct gemm g = {0};
	int reps = 0;

	memset(r, 0, sizeof *r);
	threads = threads > 0 ? threads : 1;
	r->threads = threads;
	switch (lib) {
	case BASELINE_OPENBLAS:
		r->library = "openblas";
		g.cblas = cblas_dgemm;
		g.call = call_cblas;
		openblas_set_num_threads(threads);
		/* "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Cooperlake MAX_THREADS=64" */
		snprintf(r->version, sizeof r->version, "%.90s", blascore_config());
		snprintf(r->core, sizeof r->core, "%s", blascore_name());
		snprintf(r->core_how, sizeof r->core_how, "%s", blascore_how());
		r->available = 1;
		break;
	case BASELINE_BLIS:
		r->library = "blis";
		r->available = setup_blis(&g, threads, r);
		break;
	case BASELINE_MKL:
		r->library = "mkl";
		r->available = setup_mkl(&g, threads, r);
		break;
	}
	if (!r->available || (lib != BASELINE_OPENBLAS && !agrees(&g, r)))
		return 0;
	A = malloc(m * k * sizeof *A);
	B = malloc(k * n * sizeof *B);
	C = malloc(m * n * sizeof *C);
	if (!A || !B || !C) {
		free(A);
		free(B);
		free(C);
		errno = ENOMEM;
		return -1;
	}
	for (size_t i = 0; i < m * k; i++)
		A[i] = (double)(i % 17) / 17.0 - 0.5;
	for (size_t i = 0; i < k * n; i++)
		B[i] = (double)(i % 13) / 13.0 - 0.5;
	for (int w = 0; w < 2; w++)
		g.call(&g, s->m, s->n, s->k, A, B, C);
	until = util_now() + budget_s;
	while (reps < 5 || (util_now() < until && reps < (int)(sizeof t / sizeof *t))) {
		double t0 = util_now();
		g.call(&g, s->m, s->n, s->k, A, B, C);
		t[reps++] = util_now() - t0;
	}
	r->gflops = 2.0 * (double)m * (double)n * (double)k / stats_median(t, (size_t)reps) / 1e9;
	free(A);
	free(B);
	free(C);
	return 0;
}
