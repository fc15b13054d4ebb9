/* test_audit.c - compiles small kernels with the real gcc and checks the audit's verdicts. */
#include "config.h"
#include "audit.h"
#include "util.h"
#include "../lib/check.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* The kernel build, as the bench runs it (no sanitizers, position-independent). */
#define CC "gcc"
#define SIG "void dgemm(int m, int n, int k, const double *A, const double *B, double *C)"
#define NAIVE_BODY                                                                   \
	"{\n"                                                                        \
	"	for (int i = 0; i < m; i++)\n"                                       \
	"		for (int j = 0; j < n; j++) {\n"                             \
	"			double s = 0;\n"                                     \
	"			for (int p = 0; p < k; p++)\n"                       \
	"				s += A[i * k + p] * B[p * n + j];\n"         \
	"			C[i * n + j] = s;\n"                                 \
	"		}\n"                                                         \
	"}\n"
#define NAIVE SIG "\n" NAIVE_BODY
/* The naive kernel under another, static, name. */
#define IMPL                                                                         \
	"static void impl(int m, int n, int k, const double *A, const double *B,\n"  \
	"	double *C)\n" NAIVE_BODY

#define COMPILE_FAILED 99

static char tmpdir[PATH_MAX];
static int nfiles;

static int write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	int ok;

	if (!f)
		return -1;
	ok = fwrite(data, 1, len, f) == len;
	return fclose(f) == 0 && ok ? 0 : -1;
}

/* A fresh path in the temporary directory. */
static char *temp_path(const char *ext)
{
	return util_xasprintf("%s/k%03d%s", tmpdir, nfiles++, ext);
}

/* Run argv (no shell: the temporary directory may hold any character). */
static int run(char *const argv[])
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		execvp(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Compile src with the kernel flags plus one extra flag (or none); the object's path, or
 * NULL when gcc refused (the snippet, not the audit, is then wrong). */
static char *compile(const char *src, const char *extra)
{
	char *c = temp_path(".c"), *o = util_xasprintf("%s.o", c);
	char *argv[16];
	int n = 0;

	argv[n++] = CC;
	argv[n++] = "-std=c11";
	argv[n++] = "-O3";
	argv[n++] = "-march=native";
	argv[n++] = "-fopenmp";
	argv[n++] = "-fPIC";
	if (extra)
		argv[n++] = (char *)extra;
	argv[n++] = "-c";
	argv[n++] = c;
	argv[n++] = "-o";
	argv[n++] = o;
	argv[n] = NULL;
	if (write_file(c, src, strlen(src)) != 0 || run(argv) != 0) {
		fprintf(stderr, "cannot compile:\n%s\n", src);
		free(o);
		o = NULL;
	}
	free(c);
	return o;
}

static int audit_src(const char *src, const char *extra, char *why, size_t whylen)
{
	char *o = compile(src, extra);
	int rc;

	if (!o) {
		snprintf(why, whylen, "(compile failed)");
		return COMPILE_FAILED;
	}
	rc = audit_object(o, why, whylen);
	free(o);
	return rc;
}

/* Verdict of a snippet; reason (when not NULL) must be the exact reason, or, when it starts
 * with '~', a substring of it. The macro keeps the caller's line in failure messages. */
#define EXPECT_FLAGS(src, extra, want, reason)                                        \
	do {                                                                         \
		char why_[256];                                                        \
		const char *reason_ = (reason);                                           \
		int got_ = audit_src((src), (extra), why_, sizeof why_);                   \
		CHECK(got_ == (want));                                                 \
		if (got_ != (want))                                                    \
			fprintf(stderr, "  verdict %d: %s\n", got_, why_);               \
		if (reason_ && reason_[0] == '~')                                              \
			CHECK(strstr(why_, reason_ + 1) != NULL);                           \
		else if (reason_)                                                         \
			CHECK_STR(why_, reason_);                                           \
	} while (0)
#define EXPECT(src, want, reason) EXPECT_FLAGS(src, NULL, want, reason)

/* ---- kernels that must pass ------------------------------------------------------------ */

static void test_good_kernels(void)
{
	EXPECT(NAIVE, 0, "");

	/* The outlined parallel region dgemm._omp_fn.0 is a local symbol. */
	EXPECT("#include <omp.h>\n" SIG "\n{\n"
	       "#pragma omp parallel for collapse(2) schedule(static)\n"
	       "	for (int i = 0; i < m; i++)\n"
	       "		for (int j = 0; j < n; j++) {\n"
	       "			double s = 0;\n"
	       "			for (int p = 0; p < k; p++)\n"
	       "				s += A[i * k + p] * B[p * n + j];\n"
	       "			C[i * n + j] = s;\n"
	       "		}\n"
	       "}\n",
	       0, "");

	/* More of libgomp: reduction, critical, barrier, thread queries, the wall clock; and
	 * sin/cos of one value, which gcc fuses into a sincos call. */
	EXPECT("#include <math.h>\n#include <omp.h>\n" SIG "\n{\n"
	       "	double t0 = omp_get_wtime(), sum = 0;\n"
	       "#pragma omp parallel reduction(+:sum)\n"
	       "	{\n"
	       "		int id = omp_get_thread_num(), nt = omp_get_num_threads();\n"
	       "		for (int i = id; i < m; i += nt)\n"
	       "			for (int j = 0; j < n; j++) {\n"
	       "				double s = 0;\n"
	       "				for (int p = 0; p < k; p++)\n"
	       "					s += A[i * k + p] * B[p * n + j];\n"
	       "				C[i * n + j] = s;\n"
	       "				sum += s;\n"
	       "			}\n"
	       "#pragma omp barrier\n"
	       "#pragma omp critical\n"
	       "		sum += 0;\n"
	       "	}\n"
	       "	if (sum != sum)\n"
	       "		C[0] = sin(t0) + cos(t0);\n"
	       "}\n",
	       0, "");

	/* Intrinsics: target attributes keep the test independent of the host's ISA. */
	EXPECT("#include <immintrin.h>\n"
	       "__attribute__((target(\"avx2,fma\")))\n" SIG "\n{\n"
	       "	for (int i = 0; i < m; i++) {\n"
	       "		int j = 0;\n"
	       "		for (; j + 4 <= n; j += 4) {\n"
	       "			__m256d acc = _mm256_setzero_pd();\n"
	       "			for (int p = 0; p < k; p++)\n"
	       "				acc = _mm256_fmadd_pd(_mm256_set1_pd(A[i * k + p]),\n"
	       "					_mm256_loadu_pd(&B[p * n + j]), acc);\n"
	       "			_mm256_storeu_pd(&C[i * n + j], acc);\n"
	       "		}\n"
	       "		for (; j < n; j++) {\n"
	       "			double s = 0;\n"
	       "			for (int p = 0; p < k; p++)\n"
	       "				s += A[i * k + p] * B[p * n + j];\n"
	       "			C[i * n + j] = s;\n"
	       "		}\n"
	       "	}\n"
	       "}\n",
	       0, "");
	EXPECT("#include <immintrin.h>\n"
	       "__attribute__((target(\"avx512f\")))\n" SIG "\n{\n"
	       "	for (int i = 0; i < m; i++)\n"
	       "		for (int j = 0; j < n; j += 8) {\n"
	       "			__mmask8 mk = n - j >= 8 ? 0xff : (1u << (n - j)) - 1;\n"
	       "			__m512d acc = _mm512_setzero_pd();\n"
	       "			for (int p = 0; p < k; p++)\n"
	       "				acc = _mm512_fmadd_pd(_mm512_set1_pd(A[i * k + p]),\n"
	       "					_mm512_maskz_loadu_pd(mk, &B[p * n + j]), acc);\n"
	       "			_mm512_mask_storeu_pd(&C[i * n + j], mk, acc);\n"
	       "		}\n"
	       "}\n",
	       0, "");

	/* Allocation, <string.h> and <math.h>: packing buffers, zeroing, a norm. */
	EXPECT("#define _POSIX_C_SOURCE 200112L\n"
	       "#include <math.h>\n#include <stdlib.h>\n#include <string.h>\n" SIG "\n{\n"
	       "	size_t bytes = ((size_t)k * n * sizeof(double) + 63) / 64 * 64;\n"
	       "	double *Bp = aligned_alloc(64, bytes), *row = malloc(sizeof(double) * n);\n"
	       "	double *t = calloc(4, sizeof(double)), *u = NULL;\n"
	       "	if (!Bp || !row || !t || posix_memalign((void **)&u, 64, 64) != 0)\n"
	       "		return;\n"
	       "	memcpy(Bp, B, sizeof(double) * k * n);\n"
	       "	for (int i = 0; i < m; i++) {\n"
	       "		memset(row, 0, sizeof(double) * n);\n"
	       "		for (int p = 0; p < k; p++)\n"
	       "			for (int j = 0; j < n; j++)\n"
	       "				row[j] = fma(A[i * k + p], Bp[p * n + j], row[j]);\n"
	       "		memmove(&C[i * n], row, sizeof(double) * n);\n"
	       "	}\n"
	       "	t[0] = sqrt(C[0]) + expf((float)t[1]) + powl(t[2], 0.5L) + floor(t[3]);\n"
	       "	t = realloc(t, 8 * sizeof(double));\n"
	       "	if (t && t[0] != t[0])\n"
	       "		C[0] = 0;\n"
	       "	free(u);\n"
	       "	free(t);\n"
	       "	free(row);\n"
	       "	free(Bp);\n"
	       "}\n",
	       0, "");

	/* Static helpers and static data stay local. */
	EXPECT("static double pack[1 << 16];\n"
	       "static const double one = 1.0;\n"
	       "__attribute__((noinline)) static double dot(const double *a, const double *b,\n"
	       "	int k, int ldb)\n"
	       "{\n"
	       "	double s = 0;\n"
	       "	for (int p = 0; p < k; p++)\n"
	       "		s += a[p] * b[p * ldb];\n"
	       "	return s * one;\n"
	       "}\n" SIG "\n{\n"
	       "	(void)pack;\n"
	       "	for (int i = 0; i < m; i++)\n"
	       "		for (int j = 0; j < n; j++)\n"
	       "			C[i * n + j] = dot(&A[i * k], &B[j], k, n);\n"
	       "}\n",
	       0, "");

	/* A weak dgemm is still the kernel (the bench dlsyms it from its own object). */
	EXPECT("__attribute__((weak)) " NAIVE, 0, "");
	/* So is dgemm as an alias of a static implementation. */
	EXPECT(IMPL SIG " __attribute__((alias(\"impl\")));\n",
	       0, "");
	/* Thread-local scratch (.tbss, __tls_get_addr under -fPIC), assert (__assert_fail). */
	EXPECT("#include <assert.h>\n"
	       "static _Thread_local double scratch[256];\n" SIG "\n{\n"
	       "	assert(m > 0 && n > 0 && k > 0);\n"
	       "	for (int i = 0; i < m; i++)\n"
	       "		for (int j = 0; j < n; j++) {\n"
	       "			scratch[j & 255] = 0;\n"
	       "			for (int p = 0; p < k; p++)\n"
	       "				scratch[j & 255] += A[i * k + p] * B[p * n + j];\n"
	       "			C[i * n + j] = scratch[j & 255];\n"
	       "		}\n"
	       "}\n",
	       0, "");
	/* Sections of allowed kinds under custom names. */
	EXPECT("__attribute__((section(\".rodata.tables\")))\n"
	       "static const double w[4] = {1, 2, 3, 4};\n"
	       "__attribute__((section(\".text.hot\"), noinline)) static double f(double x)\n"
	       "{ return x * w[(int)x & 3]; }\n" SIG "\n{\n"
	       "	for (int i = 0; i < m * n; i++)\n"
	       "		C[i] = f(A[i % (m * k)] + B[i % (k * n)]);\n"
	       "}\n",
	       0, "");
	/* Flags a distribution or a user may add: hardening, debug info, section splitting,
	 * a larger code model. */
	/* A copy of unknown length into a buffer of known size: __memcpy_chk. */
	EXPECT_FLAGS("#include <string.h>\n" SIG "\n{\n"
		     "	double row[64];\n"
		     "	memcpy(row, A, sizeof(double) * (size_t)(k < 64 ? k : 64));\n"
		     "	for (int i = 0; i < m * n; i++)\n"
		     "		C[i] = row[i & 63] * B[0];\n"
		     "}\n",
		     "-D_FORTIFY_SOURCE=2", 0, "");
	EXPECT_FLAGS(NAIVE, "-fstack-protector-all", 0, "");
	EXPECT_FLAGS(NAIVE, "-g", 0, "");
	EXPECT_FLAGS("static double big[1 << 20];\n" SIG "\n{\n"
		     "	for (int i = 0; i < m * n; i++) {\n"
		     "		big[i & 1023] = A[0] * B[0] * k;\n"
		     "		C[i] = big[(i * 7) & 1023];\n"
		     "	}\n"
		     "}\n",
		     "-mcmodel=medium", 0, "");
	EXPECT_FLAGS("static double buf[64];\n" NAIVE, "-ffunction-sections", 0, "");
	EXPECT_FLAGS("static double buf[64] = {1};\n"
		     "__attribute__((used)) static double *p = buf;\n" NAIVE,
		     "-fdata-sections", 0, "");
}

/* ---- symbols ------------------------------------------------------------------------- */

static void test_symbols(void)
{
	EXPECT("double helper(double x) { return 2 * x; }\n" NAIVE, -1,
	       "defines external symbol 'helper'; only dgemm may have external linkage");
	EXPECT("double scratch[64];\n" NAIVE, -1,
	       "defines external symbol 'scratch'; only dgemm may have external linkage");
	EXPECT("int counter = 1;\n" NAIVE, -1,
	       "defines external symbol 'counter'; only dgemm may have external linkage");
	/* A common symbol (SHN_COMMON) is a definition too. */
	EXPECT("__attribute__((common)) int shared_flag;\n" NAIVE, -1,
	       "defines external symbol 'shared_flag'; only dgemm may have external linkage");
	EXPECT("__attribute__((weak)) int hook = 1;\n" NAIVE, -1,
	       "defines external symbol 'hook'; only dgemm may have external linkage");
	/* Hidden visibility keeps a symbol out of the .so, but it is still external linkage. */
	EXPECT("__attribute__((visibility(\"hidden\"))) int pack(void) { return 1; }\n" NAIVE, -1,
	       "defines external symbol 'pack'; only dgemm may have external linkage");
	/* The timer replacement: a kernel that defines clock_gettime. */
	EXPECT("struct timespec { long tv_sec, tv_nsec; };\n"
	       "int clock_gettime(int clk, struct timespec *ts)\n"
	       "{ (void)clk; ts->tv_sec = 0; ts->tv_nsec = 1; return 0; }\n" NAIVE,
	       -1, "defines external symbol 'clock_gettime'; only dgemm may have external linkage");
	/* A global symbol from top-level assembly. */
	EXPECT("__asm__(\".text\\n.globl evil\\nevil: ret\\n\");\n" NAIVE, -1,
	       "defines external symbol 'evil'; only dgemm may have external linkage");
	/* Names are quoted printable: a UTF-8 identifier shows as '?'. */
	EXPECT("int caf\\u00e9 = 1;\n" NAIVE, -1,
	       "defines external symbol 'caf?" "?'; only dgemm may have external linkage");

	EXPECT("int dgemm[4] = {1, 2, 3, 4};\n", -1, "~dgemm is not a function");
	EXPECT("__attribute__((visibility(\"hidden\"))) " NAIVE, -1, "~hidden visibility");
	EXPECT("static int unused __attribute__((used)) = 1;\n", -1, "does not define dgemm");
	EXPECT("typedef int empty;\n", -1, "does not define dgemm");
	EXPECT(SIG ";\n"
	       "__attribute__((used)) static void run(void) { dgemm(1, 1, 1, 0, 0, 0); }\n",
	       -1, "dgemm is declared but not defined");

	/* GNU ifuncs: the resolver runs in the dynamic loader. */
	EXPECT(IMPL "static void *resolve(void) { return (void *)impl; }\n" SIG
	       " __attribute__((ifunc(\"resolve\")));\n",
	       -1, "'dgemm' is a GNU ifunc, whose resolver runs at load time");
	EXPECT("static double twice(double x) { return 2 * x; }\n"
	       "static void *resolve(void) { return (void *)twice; }\n"
	       "static double helper(double) __attribute__((ifunc(\"resolve\")));\n" SIG "\n{\n"
	       "	for (int i = 0; i < m * n; i++)\n"
	       "		C[i] = helper(A[0] * B[0] * k);\n"
	       "}\n",
	       -1, "'helper' is a GNU ifunc, whose resolver runs at load time");
	EXPECT("__attribute__((target_clones(\"avx2\", \"default\"))) " NAIVE, -1, NULL);
}

/* Each forbidden call: a declaration (the headers need not be included) and a statement. */
static const struct {
	const char *name, *decl, *stmt;
} forbidden[] = {
	{"printf", "int printf(const char *, ...);", "printf(\"%d %d\\n\", m, n);"},
	{"dlopen", "void *dlopen(const char *, int);",
	 "C[0] = dlopen(\"libopenblas.so\", 2) != 0;"},
	{"fork", "int fork(void);", "C[0] = fork();"},
	{"system", "int system(const char *);", "C[0] = system(\"true\");"},
	{"syscall", "long syscall(long, ...);", "C[0] = syscall(39);"},
	{"clock_gettime",
	 "struct timespec { long s, ns; }; int clock_gettime(int, struct timespec *);",
	 "struct timespec t; clock_gettime(1, &t); C[0] = t.ns;"},
	{"cblas_dgemm",
	 "void cblas_dgemm(int, int, int, int, int, int, double, const double *, int,"
	 " const double *, int, double, double *, int);",
	 "cblas_dgemm(101, 111, 111, m, n, k, 1.0, A, k, B, n, 0.0, C, n);"},
	{"exit", "void exit(int);", "if (m < 0) exit(0);"},
	{"abort", "void abort(void);", "if (m < 0) abort();"},
	{"write", "long write(int, const void *, unsigned long);", "write(1, C, 8);"},
	{"getenv", "char *getenv(const char *);", "C[0] = getenv(\"OMP_NUM_THREADS\") != 0;"},
	{"pthread_create", "int pthread_create(void *, const void *, void *(*)(void *), void *);",
	 "C[0] = pthread_create(0, 0, 0, 0);"},
};

static void test_forbidden_calls(void)
{
	size_t i;

	for (i = 0; i < sizeof forbidden / sizeof forbidden[0]; i++) {
		char *src = util_xasprintf("%s\n" SIG "\n{\n%s\n"
					   "	for (int i = 0; i < m * n; i++)\n"
					   "		C[i] += A[0] * B[0] * k;\n}\n",
					   forbidden[i].decl, forbidden[i].stmt);
		char *reason = util_xasprintf("calls '%s', which is not on the allowlist",
					      forbidden[i].name);
		EXPECT(src, -1, reason);
		free(reason);
		free(src);
	}
	/* A weak reference is still a reference: it binds to libc's system at load. */
	EXPECT("extern int system(const char *) __attribute__((weak));\n" SIG "\n{\n"
	       "	if (system)\n"
	       "		C[0] = system(\"true\");\n"
	       "	(void)m; (void)n; (void)k; (void)A; (void)B;\n"
	       "}\n",
	       -1, "calls 'system', which is not on the allowlist");
}

/* ---- issue 13: compiler-made lock words (class 5) and undefined names checked against
 * the libraries' real exports (class 7) ---------------------------------------------- */

static void test_omp_and_exports(void)
{
	/* #pragma omp critical(name): gcc's common .gomp_critical_user_name is no symbol of
	 * the kernel's. */
	EXPECT("#include <omp.h>\nstatic long done;\n" SIG "\n{\n"
	       "#pragma omp parallel for\n"
	       "	for (int i = 0; i < m; i++) {\n"
	       "		for (int j = 0; j < n; j++) {\n"
	       "			double s = 0;\n"
	       "			for (int p = 0; p < k; p++)\n"
	       "				s += A[i * k + p] * B[p * n + j];\n"
	       "			C[i * n + j] = s;\n"
	       "		}\n"
	       "#pragma omp critical(rows)\n"
	       "		done++;\n"
	       "#pragma omp critical(_other_lock2)\n"
	       "		done--;\n"
	       "	}\n"
	       "}\n",
	       0, "");
	/* The same name in any other shape is the kernel's own symbol. */
	EXPECT("__asm__(\".comm .gomp_critical_user_big,4096,8\");\n" NAIVE, -1,
	       "defines external symbol '.gomp_critical_user_big'; only dgemm may have external linkage");
	EXPECT("__asm__(\".globl .gomp_critical_user_x\\n.data\\n.gomp_critical_user_x: .quad 0\");\n"
	       NAIVE, -1,
	       "defines external symbol '.gomp_critical_user_x'; only dgemm may have external linkage");
	EXPECT("__asm__(\".comm .gomp_critical_user_,8,8\");\n" NAIVE, -1,
	       "defines external symbol '.gomp_critical_user_'; only dgemm may have external linkage");

	/* Real libmvec variants (gcc vectorises exp under -ffast-math) pass. */
	EXPECT_FLAGS("#include <math.h>\n" SIG "\n{\n"
		     "	(void)B; (void)k;\n"
		     "#pragma omp simd\n"
		     "	for (int i = 0; i < m * n; i++)\n"
		     "		C[i] = exp(A[i]);\n"
		     "}\n",
		     "-ffast-math", 0, "");
	/* Names that only look like libgomp's or libmvec's: the loader would refuse them
	 * and quote them. A short one is shown, a long one is not. */
	EXPECT("extern void omp_pwned(void);\n" SIG "\n{\n	if (m < 0) omp_pwned();\n"
	       "	(void)n; (void)k; (void)A; (void)B; (void)C;\n}\n",
	       -1, "calls 'omp_pwned', which libgomp.so does not export");
	EXPECT("extern void GOMP_pwned(void);\n" SIG "\n{\n	if (m < 0) GOMP_pwned();\n"
	       "	(void)n; (void)k; (void)A; (void)B; (void)C;\n}\n",
	       -1, "calls 'GOMP_pwned', which libgomp.so does not export");
	EXPECT("extern void _ZGVbN2v_notreal(void);\n" SIG "\n{\n	if (m < 0) _ZGVbN2v_notreal();\n"
	       "	(void)n; (void)k; (void)A; (void)B; (void)C;\n}\n",
	       -1, "calls '_ZGVbN2v_notreal', which libmvec.so does not export");
	EXPECT("extern void omp_pwned_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx(void);\n"
	       SIG "\n{\n	if (m < 0) omp_pwned_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx();\n"
	       "	(void)n; (void)k; (void)A; (void)B; (void)C;\n}\n",
	       -1, "calls a name over 40 characters that libgomp.so does not export");
	/* libgomp's own internals (hidden or local in its .so) are no exports. */
	EXPECT("extern void gomp_fatal(void); extern void omp_(void);\n" SIG "\n{\n"
	       "	if (m < 0) omp_();\n"
	       "	(void)n; (void)k; (void)A; (void)B; (void)C;\n}\n",
	       -1, "calls 'omp_', which libgomp.so does not export");
	/* A real one passes. */
	EXPECT("#include <omp.h>\n" SIG "\n{\n	C[0] = omp_get_wtime() + omp_get_num_procs();\n"
	       "	(void)m; (void)n; (void)k; (void)A; (void)B;\n}\n",
	       0, "");
}

/* ---- sections -------------------------------------------------------------------------- */

static void test_sections(void)
{
	char *src, *reason;
	char longname[64];

	EXPECT("static volatile int ready;\n"
	       "__attribute__((constructor)) static void init(void) { ready = 1; }\n" NAIVE,
	       -1,
	       "section '.init_array' runs code at load or exit; only calls of dgemm may run code");
	EXPECT("static volatile int ready;\n"
	       "__attribute__((constructor(101))) static void init(void) { ready = 1; }\n" NAIVE,
	       -1, "~section '.init_array.00101' runs code");
	EXPECT("static volatile int done;\n"
	       "__attribute__((destructor)) static void fini(void) { done = 1; }\n" NAIVE,
	       -1, "~section '.fini_array' runs code");
	EXPECT("static void hook(void) {}\n"
	       "__attribute__((section(\".init_array\"), used))\n"
	       "static void (*const p)(void) = hook;\n" NAIVE,
	       -1, "~section '.init_array' runs code");
	EXPECT("static void hook(void) {}\n"
	       "__attribute__((section(\".preinit_array\"), used))\n"
	       "static void (*const p)(void) = hook;\n" NAIVE,
	       -1, "~section '.preinit_array' runs code");
	EXPECT("static void hook(void) {}\n"
	       "__attribute__((section(\".ctors\"), used)) static void (*p)(void) = hook;\n" NAIVE,
	       -1, "~section '.ctors' runs code");
	EXPECT("static void hook(void) {}\n"
	       "__attribute__((section(\".dtors\"), used)) static void (*p)(void) = hook;\n" NAIVE,
	       -1, "~section '.dtors' runs code");
	EXPECT("__attribute__((section(\".init\"), used)) static void hook(void) {}\n" NAIVE,
	       -1, "~section '.init' runs code");
	/* The loader goes by type, not name: an innocent name with the init_array type. */
	EXPECT("static void hook(void) {}\n"
	       "__asm__(\".section .data.hooks,\\\"aw\\\",@init_array\\n\"\n"
	       "	\".quad hook\\n.previous\\n\");\n"
	       "__attribute__((used)) static void (*keep)(void) = hook;\n" NAIVE,
	       -1, "~section '.data.hooks' runs code");
	EXPECT("__attribute__((section(\".mysec\"), used)) static int x = 1;\n" NAIVE, -1,
	       "unexpected section '.mysec'");
	EXPECT("__attribute__((section(\".textual\"), used)) static int x = 1;\n" NAIVE, -1,
	       "unexpected section '.textual'");

	/* Quoted names are cut to 40 characters. */
	memset(longname, 'a', sizeof longname);
	memcpy(longname, ".x", 2);
	longname[60] = '\0';
	src = util_xasprintf("__attribute__((section(\"%s\"), used)) static int x = 1;\n" NAIVE,
			     longname);
	longname[40] = '\0';
	reason = util_xasprintf("unexpected section '%s...'", longname);
	EXPECT(src, -1, reason);
	free(reason);
	free(src);

	/* A GNU nested function that escapes needs a trampoline on an executable stack. */
	EXPECT("__attribute__((noinline)) static void each(void (*f)(int), int n)\n"
	       "{ for (int i = 0; i < n; i++) f(i); }\n" SIG "\n{\n"
	       "	void one(int i) { C[i] = A[i] * B[i] * m * k; }\n"
	       "	each(one, n);\n"
	       "}\n",
	       -1, "~executable stack");
}

/* ---- files that are not kernel objects ------------------------------------------------ */

static char *good_object(void)
{
	char *o = compile(NAIVE, NULL);
	CHECK(o != NULL);
	return o;
}

/* A copy of data with a modification: write it to a new temporary file. */
static char *write_temp(const void *data, size_t len)
{
	char *p = temp_path(".o");
	CHECK(write_file(p, data, len) == 0);
	return p;
}

static int audit_bytes(const void *data, size_t len, char *why, size_t whylen)
{
	char *p = write_temp(data, len);
	int rc = audit_object(p, why, whylen);
	unlink(p);
	free(p);
	return rc;
}

static void test_bad_files(void)
{
	char why[256], *o = good_object(), *p, *obj;
	char *argv[8];
	size_t len, cut;
	int all_bad = 1;

	CHECK(audit_object("/nonexistent/kernel.o", why, sizeof why) == -2);
	CHECK(strstr(why, "cannot open") != NULL);
	CHECK(audit_object(tmpdir, why, sizeof why) == -2);
	CHECK(audit_bytes("", 0, why, sizeof why) == -2);
	CHECK(why[0] != '\0');
	CHECK(audit_bytes("int main(void) { return 0; }\n", 29, why, sizeof why) == -2);
	CHECK(audit_bytes("!<arch>\n", 8, why, sizeof why) == -2);
	CHECK(audit_bytes("\177ELF", 4, why, sizeof why) == -2);

	if (!o)
		return;
	obj = util_read_file(o, 0, &len);
	CHECK(obj != NULL && len > 64);
	if (!obj) {
		free(o);
		return;
	}
	CHECK(audit_object(o, why, sizeof why) == 0);

	/* Every truncation loses the section headers (they come last), so none is an object. */
	for (cut = 0; cut < len; cut += cut < 128 ? 1 : 37)
		if (audit_bytes(obj, cut, why, sizeof why) != -2) {
			fprintf(stderr, "  truncated to %zu bytes: %s\n", cut, why);
			all_bad = 0;
		}
	CHECK(all_bad);
	CHECK(audit_bytes(obj, len / 2, why, sizeof why) == -2);

	/* Another machine, another word size, a shared object: not for this audit. */
	{
		char *copy = util_xmalloc(len);
		memcpy(copy, obj, len);
		copy[18] = (char)183; /* EM_AARCH64 */
		copy[19] = 0;
		CHECK(audit_bytes(copy, len, why, sizeof why) == -2);
		CHECK(strstr(why, "another machine") != NULL);
		memcpy(copy, obj, len);
		copy[4] = 1; /* ELFCLASS32 */
		CHECK(audit_bytes(copy, len, why, sizeof why) == -2);
		free(copy);
	}
	p = util_xasprintf("%s.so", o);
	argv[0] = CC;
	argv[1] = "-shared";
	argv[2] = "-fopenmp";
	argv[3] = "-o";
	argv[4] = p;
	argv[5] = o;
	argv[6] = NULL;
	CHECK(run(argv) == 0);
	CHECK(audit_object(p, why, sizeof why) == -2);
	CHECK(strstr(why, "not a relocatable object") != NULL);
	free(p);

	/* No reason buffer, or a tiny one: no crash, and the reason stays a string. */
	CHECK(audit_object(o, NULL, 0) == 0);
	CHECK(audit_bytes("junk", 4, NULL, 0) == -2);
	memset(why, 'x', sizeof why);
	CHECK(audit_bytes("junk", 4, why, 8) == -2);
	CHECK(strlen(why) == 7);

	free(obj);
	free(o);
}

/* Random corruption of a real object (fixed seed): any verdict, never a crash or an
 * unterminated reason. A rule-breaking object corrupted can still only pass or fail. */
static void test_fuzz(void)
{
	char why[128], *o = compile("#include <omp.h>\n#include <math.h>\n"
				    "static double scale = 2;\n" SIG "\n{\n"
				    "#pragma omp parallel for\n"
				    "	for (int i = 0; i < m; i++)\n"
				    "		for (int j = 0; j < n; j++) {\n"
				    "			double s = 0;\n"
				    "			for (int p = 0; p < k; p++)\n"
				    "				s += A[i * k + p] * B[p * n + j];\n"
				    "			C[i * n + j] = sqrt(s * scale);\n"
				    "		}\n"
				    "}\n",
				    NULL);
	char *obj, *copy, *p;
	size_t len, i;
	uint64_t x = 0x9e3779b97f4a7c15u;
	int counts[3] = {0, 0, 0}, sane = 1;

	CHECK(o != NULL);
	if (!o)
		return;
	obj = util_read_file(o, 0, &len);
	CHECK(obj != NULL);
	if (!obj) {
		free(o);
		return;
	}
	copy = util_xmalloc(len);
	p = temp_path(".o");
	for (i = 0; i < 3000; i++) {
		int flips, rc;

		memcpy(copy, obj, len);
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		flips = 1 + (int)(x % 8);
		while (flips--) {
			size_t at;
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			/* Half the hits land in the ELF header and the section header table at
			 * the end, where the structure is. */
			at = x % 4 == 0 ? (x >> 8) % 64 :
			     x % 4 == 1 ? len - 1 - (x >> 8) % (len < 1024 ? len : 1024) :
					  (x >> 8) % len;
			copy[at] = (char)(x >> 40);
		}
		if (write_file(p, copy, len) != 0) {
			sane = 0;
			break;
		}
		memset(why, 'x', sizeof why);
		rc = audit_object(p, why, sizeof why);
		if (rc < -2 || rc > 0 || !memchr(why, '\0', sizeof why) || (rc != 0 && !why[0]))
			sane = 0;
		else
			counts[-rc]++;
	}
	CHECK(sane);
	/* The mutations must reach all three verdicts, or the fuzzing tests too little. */
	CHECK(counts[0] > 0 && counts[1] > 0 && counts[2] > 0);
	fprintf(stderr, "fuzz: %d pass, %d violation, %d unreadable\n", counts[0], counts[1],
		counts[2]);
	unlink(p);
	free(p);
	free(copy);
	free(obj);
	free(o);
}

int main(void)
{
	const char *t = getenv("TMPDIR");

	snprintf(tmpdir, sizeof tmpdir, "%s/perfrl-audit-XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_good_kernels();
	test_symbols();
	test_forbidden_calls();
	test_omp_and_exports();
	test_sections();
	test_bad_files();
	test_fuzz();
	if (util_rmtree(tmpdir) != 0)
		perror(tmpdir);
	return CHECK_DONE();
}
