/* test_build.c - the kernel build with the real gcc in the real sandbox: what the compiler
 * can read, and what a compile that runs out of time costs. */
#include "config.h"
#include "build.h"
#include "util.h"
#include "../lib/check.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define SIG "void dgemm(int m, int n, int k, const double *A, const double *B, double *C)\n"

static char tmpdir[PATH_MAX], cache[PATH_MAX + 16];

static struct build_opts opts(double timeout)
{
	struct build_opts o = {0};
	o.cc = "gcc";
	o.cache_dir = cache;
	o.timeout_s = timeout;
	return o;
}

static int build(const char *src, double timeout, struct build_result *r)
{
	struct build_opts o = opts(timeout);
	return build_kernel(src, strlen(src), &o, r);
}

/* A host file the compiler has no business reading: outside the build directory and the
 * toolchain, world-readable, valid C. Built without the view, the kernel would be ok. */
static void host_files(void)
{
	char leak[PATH_MAX + 16], src[2 * PATH_MAX];
	struct build_result r;
	FILE *f;

	snprintf(leak, sizeof leak, "%s/leak.h", tmpdir);
	f = fopen(leak, "w");
	CHECK(f != NULL);
	if (!f)
		return;
	fputs("static const double leaked = 42;\n", f);
	fclose(f);
	chmod(leak, 0644);

	snprintf(src, sizeof src, "#include \"%s\"\n" SIG "{ (void)m; (void)n; (void)k; (void)A;\n"
		 "(void)B; C[0] = leaked; }\n", leak);
	CHECK(build(src, 30, &r) == 0);
	CHECK(r.status == STATUS_COMPILE_ERROR);
	CHECK(strstr(r.detail, "No such file") != NULL);

	/* The assembler reads what .incbin names: the host's files are not there either. */
	CHECK(build("__asm__(\".pushsection .rodata\\nperfrl_leak: .incbin \\\"/etc/hostname\\\"\\n"
		    ".popsection\");\n" SIG "{ (void)m; (void)n; (void)k; (void)A; (void)B;\n"
		    "(void)C; }\n", 30, &r) == 0);
	CHECK(r.status == STATUS_COMPILE_ERROR);

	/* The toolchain's headers are: a kernel with intrinsics and OpenMP builds. */
	CHECK(build("#include <immintrin.h>\n#include <omp.h>\n" SIG
		    "{ (void)m; (void)n; (void)k; (void)A; (void)B;\n"
		    "C[0] = _mm_cvtsd_f64(_mm_set1_pd(1.0)) + omp_get_max_threads(); }\n",
		    30, &r) == 0);
	CHECK(r.status == STATUS_OK);
}

/* GCC takes minutes to unroll this; the build gives it `timeout` seconds of CPU. */
#define SLOW                                                                         \
	SIG "{\n"                                                                     \
	"	(void)m; (void)n; (void)k; (void)A;\n"                              \
	"#pragma GCC unroll 65534\n"                                                 \
	"	for (int i = 0; i < 65534; i++)\n"                                   \
	"		C[i] = B[i] * 2.0 + C[i / 3];\n"                             \
	"}\n"

/* A compile that ran out of time is compiled once: not again in this process, not again by
 * the parent of the process that compiled it (prebuild, then evaluate), but again with
 * more time. */
static void compile_once(void)
{
	struct build_result r;
	pid_t pid;
	int st = 0;
	double t0;

	CHECK(build(SLOW, 2, &r) == 0);
	CHECK(r.status == STATUS_COMPILE_ERROR && !r.cached);
	CHECK(strstr(r.detail, "CPU time") != NULL);
	printf("slow kernel: %s (%.1f s)\n", r.detail, r.seconds);

	t0 = util_now();
	CHECK(build(SLOW, 2, &r) == 0);
	CHECK(r.status == STATUS_COMPILE_ERROR && r.cached);
	CHECK(util_now() - t0 < 1);

	/* prebuild's way: a child builds, the parent evaluates. */
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		struct build_result c;
		_exit(build(SLOW "/* 2 */", 2, &c) == 0 && c.status == STATUS_COMPILE_ERROR ? 0 : 1);
	}
	CHECK(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	t0 = util_now();
	CHECK(build(SLOW "/* 2 */", 2, &r) == 0);
	CHECK(r.status == STATUS_COMPILE_ERROR && r.cached);
	CHECK(util_now() - t0 < 1);

	/* A larger limit deserves its own try. */
	CHECK(build(SLOW, 3, &r) == 0);
	CHECK(r.status == STATUS_COMPILE_ERROR && !r.cached);
	CHECK(strstr(r.detail, "3 s of CPU") != NULL);
}

int main(void)
{
	const char *t = getenv("TMPDIR");
	snprintf(tmpdir, sizeof tmpdir, "%s/perfrl-test-build.XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	chmod(tmpdir, 0755); /* the compiler runs as nobody when we are root */
	snprintf(cache, sizeof cache, "%s/cache", tmpdir);
	util_quiet = 1;

	host_files();
	compile_once();

	util_rmtree(tmpdir);
	return CHECK_DONE();
}
