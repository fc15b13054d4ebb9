/* test_techniques.c - the technique detector: each technique on and off, decoys that must not
 * count (comments, strings, names, #if 0, unused macros), the preprocessor cases that must
 * (_Pragma in a used macro, splices), user techniques, evidence, hostile input, and the
 * labelled kernels of tests/techniques/dev. */
#include "config.h"
#include "catalogue.h"
#include "../lib/check.h"
#include "techniques.h"
#include "util.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct catalogue *cat;

/* The techniques of src as "a+b" ("none", or "error: why"), in a static buffer. */
static const char *found(const char *src)
{
	static char buf[512];
	char why[256];
	techset_t s;
	if (techniques_detect(cat, src, strlen(src), &s, NULL, why, sizeof why) != 0) {
		snprintf(buf, sizeof buf, "error: %s", why);
		return buf;
	}
	techset_format(cat, s, buf, sizeof buf);
	return buf;
}

static int has(const char *src, int tech)
{
	techset_t s;
	char why[256];
	return techniques_detect(cat, src, strlen(src), &s, NULL, why, sizeof why) == 0 &&
	       (s & (1u << tech));
}

#define SIG "void dgemm(int m, int n, int k, const double *A, const double *B, double *C)\n"

/* The textbook kernel, with a line of prologue and a pragma before the i loop. */
#define NAIVE(pre, pragma)                                                                    \
	pre SIG "{\n" pragma "\n"                                                             \
	"  for (int i = 0; i < m; i++)\n"                                                     \
	"    for (int j = 0; j < n; j++) {\n"                                                 \
	"      double s = 0;\n"                                                               \
	"      for (int p = 0; p < k; p++)\n"                                                 \
	"        s += A[i * k + p] * B[p * n + j];\n"                                         \
	"      C[i * n + j] = s;\n"                                                           \
	"    }\n"                                                                             \
	"}\n"

#define IKJ(pragma)                                                                           \
	SIG "{\n"                                                                             \
	"  for (int i = 0; i < m; i++) {\n"                                                   \
	"    for (int j = 0; j < n; j++) C[i * n + j] = 0;\n"                                 \
	"    for (int p = 0; p < k; p++) {\n"                                                 \
	"      double a = A[i * k + p];\n" pragma "\n"                                        \
	"      for (int j = 0; j < n; j++)\n"                                                 \
	"        C[i * n + j] += a * B[p * n + j];\n"                                         \
	"    }\n"                                                                             \
	"  }\n"                                                                               \
	"}\n"

static void test_openmp(void)
{
	CHECK_STR(found(NAIVE("", "#pragma omp parallel for")), "openmp");
	CHECK_STR(found(NAIVE("", "#pragma omp parallel for simd")), "openmp+simd");
	CHECK_STR(found(NAIVE("", "#pragma omp taskloop grainsize(4)")), "openmp");
	CHECK_STR(found(NAIVE("", "#pragma omp target teams distribute")), "openmp");
	CHECK_STR(found(NAIVE("", "#pragma omp simd")), "simd");
	CHECK_STR(found(NAIVE("#pragma omp declare simd\nstatic double f(double x) { return x; }\n",
			      "")), "simd");
	/* omp_* calls with no parallel construct, and an orphaned for: no threads */
	CHECK_STR(found(NAIVE("int omp_get_max_threads(void);\n",
			      "int t = omp_get_max_threads(); (void)t;")), "none");
	CHECK_STR(found(NAIVE("", "#pragma omp for")), "none");
	CHECK_STR(found(NAIVE("", "#pragma omp parallel\n#pragma omp single")), "openmp");
	CHECK_STR(found(NAIVE("", "_Pragma(\"omp parallel for\")")), "openmp");
	CHECK_STR(found(NAIVE("", "_Pragma(\"omp simd\")")), "simd");
	/* a clause word is not a construct: schedule(simd:static) */
	CHECK_STR(found(NAIVE("", "#pragma omp for schedule(simd:static)")), "none");
}

static void test_simd(void)
{
	const char *intr =
		"#include <immintrin.h>\n" SIG "{\n"
		"  for (int i = 0; i < m; i++)\n"
		"    for (int j = 0; j < n; j++) {\n"
		"      __m128d acc = _mm_setzero_pd();\n"
		"      for (int p = 0; p < k; p++)\n"
		"        acc = _mm_add_sd(acc, _mm_mul_sd(_mm_load_sd(A + i * k + p), _mm_load_sd(B + p * n + j)));\n"
		"      _mm_store_sd(C + i * n + j, acc);\n"
		"    }\n"
		"}\n";
	CHECK_STR(found(intr), "simd");
	CHECK_STR(found(NAIVE("typedef double v4 __attribute__((vector_size(32)));\n",
			      "v4 z = {0}; z += z; (void)z;")), "simd");
	/* a vector_size typedef that nothing uses */
	CHECK_STR(found(NAIVE("typedef double v4 __attribute__((vector_size(32)));\n", "")), "none");
	/* names that look like intrinsics are not intrinsics */
	CHECK_STR(found(NAIVE("", "double _mm256 = 1, _mm256_x = 2, __m256dd = 3; (void)(_mm256 + _mm256_x + __m256dd);")),
		  "none");
	CHECK_STR(found(NAIVE("", "#pragma GCC ivdep")), "none");
	/* _mm_malloc is not vectorisation; _mm_prefetch is prefetching */
	CHECK_STR(found(NAIVE("void *_mm_malloc(unsigned long, unsigned long);\n",
			      "void *q = _mm_malloc(64, 64); (void)q;")), "none");
	CHECK_STR(found(NAIVE("", "_mm_prefetch((const char *)A, 3);")), "prefetch");
	CHECK_STR(found(NAIVE("", "__builtin_prefetch(B + n, 0, 3);")), "prefetch");
}

static void test_decoys(void)
{
	CHECK_STR(found(NAIVE("/* #pragma omp parallel for _mm256_fmadd_pd( __builtin_prefetch( */\n",
			      "// #pragma omp parallel for")), "none");
	CHECK_STR(found(NAIVE("static const char *s = \"#pragma omp parallel for _mm256_add_pd(a, b)\";\n",
			      "(void)s;")), "none");
	CHECK_STR(found(NAIVE("#if 0\n#pragma omp parallel\nstatic void f(void) { _mm256_setzero_pd(); }\n#endif\n",
			      "")), "none");
	CHECK_STR(found(NAIVE("#if 0\n#if 1\n#else\n#endif\n#pragma omp parallel\n#else\n#endif\n", "")),
		  "none");
	CHECK_STR(found(NAIVE("", "#if 0\n#pragma omp parallel for\n#else\n#pragma omp simd\n#endif")),
		  "simd");
	CHECK_STR(found(NAIVE("", "#if 1\n#pragma omp simd\n#else\n#pragma omp parallel for\n#endif")),
		  "simd");
	/* #ifdef of a name nothing defines: never compiled */
	CHECK_STR(found(NAIVE("", "#ifdef USE_THREADS\n#pragma omp parallel for\n#endif")), "none");
	CHECK_STR(found(NAIVE("#define USE_THREADS 1\n",
			      "#ifdef USE_THREADS\n#pragma omp parallel for\n#endif")), "openmp");
	CHECK_STR(found(NAIVE("", "#ifdef _OPENMP\n#pragma omp parallel for\n#endif")), "openmp");
	/* a macro that would use a technique, never used */
	CHECK_STR(found(NAIVE("#define PAR _Pragma(\"omp parallel for\")\n"
			      "#define PF(x) __builtin_prefetch(x)\n", "")), "none");
	/* ... used: it counts */
	CHECK_STR(found(NAIVE("#define PAR _Pragma(\"omp parallel for\")\n", "PAR")), "openmp");
	CHECK_STR(found(NAIVE("#define PRAGMA(x) _Pragma(#x)\n#define PAR PRAGMA(omp parallel for)\n",
			      "PAR")), "openmp");
	CHECK_STR(found(NAIVE("#define PF(x) __builtin_prefetch(x)\n", "PF(A);")), "prefetch");
	/* used only inside another macro that is never used */
	CHECK_STR(found(NAIVE("#define PAR _Pragma(\"omp parallel for\")\n#define OUTER PAR\n", "")),
		  "none");
	/* line splices are read as the compiler reads them */
	CHECK_STR(found(NAIVE("", "#pragma omp \\\n parallel \\\n for")), "openmp");
	CHECK_STR(found(NAIVE("", "__builtin_pre\\\nfetch(A);")), "prefetch");
	CHECK_STR(found(NAIVE("// a comment \\\n#pragma omp parallel for\n", "")), "none");
}

static void test_loops(void)
{
	/* loop order */
	CHECK_STR(found(IKJ("")), "loop_reorder");
	CHECK_STR(found(NAIVE("", "")), "none");
	/* j-k-i: the innermost loop runs down columns */
	CHECK_STR(found(SIG "{\n for (int j = 0; j < n; j++)\n  for (int p = 0; p < k; p++)\n"
			"   for (int i = 0; i < m; i++)\n    C[i * n + j] += A[i * k + p] * B[p * n + j];\n}\n"),
		  "none");
	/* the parameters' names do not matter, their places do */
	CHECK_STR(found("void dgemm(int m, int n, int k, const double *x, const double *y, double *z)\n"
			"{\n for (int i = 0; i < m; i++)\n  for (int p = 0; p < k; p++)\n"
			"   for (int j = 0; j < n; j++)\n    z[i * n + j] += x[i * k + p] * y[p * n + j];\n}\n"),
		  "loop_reorder");
	/* B handed to a helper that walks it down a column is not unit stride */
	CHECK_STR(found("static double dot(const double *a, const double *b, int k, int n)\n"
			"{ double s = 0; for (int p = 0; p < k; p++) s += a[p] * b[p * n]; return s; }\n"
			SIG "{\n for (int i = 0; i < m; i++)\n  for (int j = 0; j < n; j++)\n"
			"   C[i * n + j] = dot(A + i * k, B + j, k, n);\n}\n"),
		  "none");
	/* pointers that step: *c++ += a * *b++ */
	CHECK_STR(found(SIG "{\n for (int i = 0; i < m; i++)\n  for (int p = 0; p < k; p++) {\n"
			"   double *c = C + i * n; const double *b = B + p * n, *e = b + n;\n"
			"   double a = A[i * k + p];\n   while (b < e) *c++ += a * *b++;\n  }\n}\n"),
		  "loop_reorder");

	/* cache blocking: a tile loop and a loop within the tile */
	CHECK_STR(found(SIG "{\n for (int ii = 0; ii < m; ii += 64)\n"
			"  for (int i = ii; i < ii + 64 && i < m; i++)\n   for (int j = 0; j < n; j++) {\n"
			"    double s = 0;\n    for (int p = 0; p < k; p++) s += A[i * k + p] * B[p * n + j];\n"
			"    C[i * n + j] = s;\n   }\n}\n"),
		  "cache_blocking");
	/* a symbolic block size, and an end computed before the loop */
	CHECK_STR(found(SIG "{\n int bs = m > 256 ? 128 : 32;\n for (int pp = 0; pp < k; pp += bs) {\n"
			"  int pend = pp + bs < k ? pp + bs : k;\n  for (int i = 0; i < m; i++)\n"
			"   for (int j = 0; j < n; j++) {\n    double s = pp ? C[i * n + j] : 0;\n"
			"    for (int p = pp; p < pend; p++) s += A[i * k + p] * B[p * n + j];\n"
			"    C[i * n + j] = s;\n   }\n }\n}\n"),
		  "cache_blocking");
	/* stepping by a register tile (4) is not cache blocking */
	CHECK(!has(SIG "{\n for (int i = 0; i < m; i += 4)\n  for (int r = i; r < i + 4 && r < m; r++)\n"
		   "   for (int j = 0; j < n; j++) {\n    double s = 0;\n"
		   "    for (int p = 0; p < k; p++) s += A[r * k + p] * B[p * n + j];\n"
		   "    C[r * n + j] = s;\n   }\n}\n", TECH_CACHE_BLOCKING));
	/* a big step with nothing inside the tile */
	CHECK(!has(SIG "{\n for (int i = 0; i < m; i += 64)\n  C[i] = 0;\n}\n", TECH_CACHE_BLOCKING));

	/* register blocking: two accumulators across the k loop, stored after it */
	CHECK_STR(found(SIG "{\n for (int i = 0; i < m; i++)\n  for (int j = 0; j + 1 < n; j += 2) {\n"
			"   double c0 = 0, c1 = 0;\n   for (int p = 0; p < k; p++) {\n"
			"    c0 += A[i * k + p] * B[p * n + j];\n    c1 += A[i * k + p] * B[p * n + j + 1];\n"
			"   }\n   C[i * n + j] = c0;\n   C[i * n + j + 1] = c1;\n  }\n}\n"),
		  "register_blocking+unrolling");
	/* a small array of accumulators stored in a loop */
	CHECK(has(SIG "{\n for (int i = 0; i + 4 <= m; i += 4)\n  for (int j = 0; j < n; j++) {\n"
		  "   double acc[4] = {0};\n   for (int p = 0; p < k; p++)\n"
		  "    for (int r = 0; r < 4; r++) acc[r] += A[(i + r) * k + p] * B[p * n + j];\n"
		  "   for (int r = 0; r < 4; r++) C[(i + r) * n + j] = acc[r];\n  }\n}\n",
		  TECH_REGISTER_BLOCKING));
	/* partial sums of one element of C are not a block of C */
	CHECK(!has(SIG "{\n for (int i = 0; i < m; i++)\n  for (int j = 0; j < n; j++) {\n"
		   "   double s0 = 0, s1 = 0; int p = 0;\n   for (; p + 1 < k; p += 2) {\n"
		   "    s0 += A[i * k + p] * B[p * n + j];\n    s1 += A[i * k + p + 1] * B[(p + 1) * n + j];\n"
		   "   }\n   for (; p < k; p++) s0 += A[i * k + p] * B[p * n + j];\n"
		   "   C[i * n + j] = s0 + s1;\n  }\n}\n", TECH_REGISTER_BLOCKING));
	CHECK(!has(NAIVE("", ""), TECH_REGISTER_BLOCKING));

	/* ... spilled to a local tile that is then copied to C, or stored through a cast */
	CHECK(has(SIG "{\n for (int i = 0; i + 2 <= m; i += 2)\n  for (int j = 0; j < n; j++) {\n"
		  "   double c0 = 0, c1 = 0, t[2];\n   for (int p = 0; p < k; p++) {\n"
		  "    c0 += A[i * k + p] * B[p * n + j];\n    c1 += A[(i + 1) * k + p] * B[p * n + j];\n"
		  "   }\n   t[0] = c0; t[1] = c1;\n   for (int r = 0; r < 2; r++) C[(i + r) * n + j] = t[r];\n"
		  "  }\n}\n", TECH_REGISTER_BLOCKING));
	CHECK(has("typedef double v2 __attribute__((vector_size(16)));\n" SIG
		  "{\n for (int i = 0; i + 2 <= m; i += 2)\n  for (int j = 0; j + 2 <= n; j += 2) {\n"
		  "   v2 acc[2] = {{0}};\n   for (int p = 0; p < k; p++)\n    for (int r = 0; r < 2; r++)\n"
		  "     acc[r] += A[(i + r) * k + p] * *(const v2 *)(B + p * n + j);\n"
		  "   for (int r = 0; r < 2; r++) *(v2 *)(C + (i + r) * n + j) = acc[r];\n  }\n}\n",
		  TECH_REGISTER_BLOCKING));
	/* while loops are loops; "*c1 = c0 + n" after a comma declares c1 */
	CHECK(has(SIG "{\n int j = 0;\n double *c0 = C, *c1 = c0 + n;\n while (j < n) {\n"
		  "  double s0 = 0, s1 = 0; int p = 0;\n  while (p < k) {\n"
		  "   s0 += A[p] * B[p * n + j]; s1 += A[k + p] * B[p * n + j]; p++;\n  }\n"
		  "  c0[j] = s0; c1[j] = s1;\n  j++;\n }\n}\n", TECH_REGISTER_BLOCKING));
	/* a macro's parenthesised argument: C[(i) * n + (j)] */
	CHECK(has("#define IC(i, j) C[(i) * n + (j)]\n#define IB(p, j) B[(p) * n + (j)]\n" SIG
		  "{\n for (int i = 0; i < m; i++)\n  for (int p = 0; p < k; p++)\n"
		  "   for (int j = 0; j < n; j++) IC(i, j) += A[i * k + p] * IB(p, j);\n}\n",
		  TECH_LOOP_REORDER));

	/* unrolling */
	CHECK_STR(found(IKJ("#pragma GCC unroll 4")), "unrolling+loop_reorder");
	CHECK_STR(found(IKJ("#pragma GCC unroll 1")), "loop_reorder");
	CHECK_STR(found(SIG "{\n for (int i = 0; i < m; i++)\n  for (int p = 0; p < k; p++) {\n"
			"   double a = A[i * k + p]; int j = 0;\n   for (; j + 1 < n; j += 2) {\n"
			"    C[i * n + j] += a * B[p * n + j];\n    C[i * n + j + 1] += a * B[p * n + j + 1];\n"
			"   }\n   for (; j < n; j++) C[i * n + j] += a * B[p * n + j];\n  }\n}\n"),
		  "unrolling+loop_reorder");

	/* packing: a transposed copy of B that the dot products read */
	CHECK_STR(found("#include <stdlib.h>\n" SIG "{\n double *t = malloc(sizeof *t * k * n);\n"
			" for (int p = 0; p < k; p++)\n  for (int j = 0; j < n; j++) t[j * k + p] = B[p * n + j];\n"
			" for (int i = 0; i < m; i++)\n  for (int j = 0; j < n; j++) {\n   double s = 0;\n"
			"   for (int p = 0; p < k; p++) s += A[i * k + p] * t[j * k + p];\n"
			"   C[i * n + j] = s;\n  }\n free(t);\n}\n"),
		  "packing");
	/* a copy that nothing reads is not packing; zeroing C is not packing */
	CHECK(!has("#include <string.h>\n" SIG "{\n double t[64];\n"
		   " for (int j = 0; j < 64 && j < n; j++) t[j] = B[j];\n memset(C, 0, sizeof *C * m * n);\n}\n",
		   TECH_PACKING));

	/* packing in a static helper handed B + off and a buffer, which the i-k-j loops read */
#define HELPER(copy, arg, bread)                                                              \
	"#include <stdlib.h>\n"                                                              \
	"static void pack_b(int kc, int nc, const double *src, int ld, double *buf)\n"       \
	"{\n for (int p = 0; p < kc; p++)\n  for (int j = 0; j < nc; j++)\n"                \
	"   buf[p * nc + j] = " copy ";\n}\n" SIG                                            \
	"{\n double *bb = malloc(sizeof *bb * 64 * n);\n"                                     \
	" for (int i = 0; i < m * n; i++) C[i] = 0;\n"                                       \
	" for (int kk = 0; kk < k; kk += 64) {\n  int kc = k - kk < 64 ? k - kk : 64;\n"      \
	"  pack_b(kc, n, " arg " + kk * n, n, bb);\n"                                        \
	"  for (int i = 0; i < m; i++)\n   for (int p = 0; p < kc; p++) {\n"                  \
	"    double a = A[i * k + kk + p];\n"                                                \
	"    for (int j = 0; j < n; j++) C[i * n + j] += a * " bread ";\n   }\n }\n"         \
	" free(bb);\n}\n"
	CHECK_STR(found(HELPER("src[p * ld + j]", "B", "bb[p * n + j]")),
		  "cache_blocking+packing+loop_reorder");
	/* a helper that copies C, or zeroes the buffer, does not pack */
	CHECK(!has(HELPER("src[p * ld + j]", "C", "bb[p * n + j]"), TECH_PACKING));
	CHECK(!has(HELPER("0", "B", "bb[p * n + j]"), TECH_PACKING));
	/* a helper that copies B into a buffer nothing reads does not pack (sizeof *bb and handing
	 * bb to the packer are no reads) */
	CHECK_STR(found(HELPER("src[p * ld + j]", "B", "B[(kk + p) * n + j]")),
		  "cache_blocking+loop_reorder");
	/* a compute helper handed the packed buffer; its index is j - jj, unit stride along j */
	CHECK_STR(found("static void pack(int kc, int nc, const double *s, int ld, double *o)\n"
			"{ for (int p = 0; p < kc; p++) for (int j = 0; j < nc; j++) o[p * nc + j] = s[p * ld + j]; }\n"
			"static void block(int m, int jj, int nc, int kc, const double *a, int lda,\n"
			"                  const double *bp, double *c, int ldc)\n{\n"
			" for (int i = 0; i < m; i++)\n  for (int p = 0; p < kc; p++) {\n"
			"   const double x = a[i * lda + p], *b = bp + p * nc;\n"
			"   for (int j = jj; j < jj + nc; j++) c[i * ldc + j] += x * b[j - jj];\n  }\n}\n"
			"static double buf[64 * 64];\n" SIG
			"{\n for (int i = 0; i < m * n; i++) C[i] = 0;\n"
			" for (int kk = 0; kk < k; kk += 64)\n  for (int jj = 0; jj < n; jj += 64) {\n"
			"   int kc = k - kk < 64 ? k - kk : 64, nc = n - jj < 64 ? n - jj : 64;\n"
			"   pack(kc, nc, B + kk * n + jj, n, buf);\n"
			"   block(m, jj, nc, kc, A + kk, k, buf, C, n);\n  }\n}\n"),
		  "cache_blocking+packing+loop_reorder");
	/* X + (j - jj) in a load is unit stride too; n - j is not */
	CHECK(has(SIG "{\n for (int i = 0; i < m; i++)\n  for (int p = 0; p < k; p++)\n"
		  "   for (int j = 0; j < n; j++) C[i * n + j] += A[i * k + p] * *(B + (p * n + j));\n}\n",
		  TECH_LOOP_REORDER));
	CHECK(!has(SIG "{\n for (int i = 0; i < m; i++)\n  for (int p = 0; p < k; p++)\n"
		   "   for (int j = 0; j < n; j++) C[i * n + j] += A[i * k + p] * B[p * n + n - 1 - j];\n}\n",
		   TECH_LOOP_REORDER));
#undef HELPER
}

static void test_user(void)
{
	const char *ids[] = {"cblas_dgemm", "_mm512_*", NULL}, *prs[] = {"omp task", NULL};
	char err[256];
	struct catalogue *saved = cat;
	int blas, task;
	cat = catalogue_new();
	CHECK(catalogue_add(cat, "blas", "calls BLAS", ids, NULL, err, sizeof err) == 0);
	CHECK(catalogue_add(cat, "tasks", "OpenMP tasks", NULL, prs, err, sizeof err) == 0);
	blas = catalogue_find(cat, "blas");
	task = catalogue_find(cat, "tasks");
	CHECK(has(NAIVE("void cblas_dgemm(void);\n", "cblas_dgemm();"), blas));
	CHECK(has(NAIVE("", "_mm512_zmm_thing();"), blas));
	CHECK(!has(NAIVE("/* cblas_dgemm _mm512_x */\n", "const char *s = \"cblas_dgemm\"; (void)s;"), blas));
	CHECK(!has(NAIVE("", "int cblas_dgemm_x = 0; (void)cblas_dgemm_x;"), blas));
	CHECK(!has(NAIVE("", "int _mm51 = 0; (void)_mm51;"), blas));
	CHECK(has(NAIVE("", "#pragma omp task"), task));
	CHECK(has(NAIVE("", "#pragma omp task firstprivate(i)"), task));
	CHECK(has(NAIVE("", "_Pragma(\"omp task\")"), task));
	CHECK(!has(NAIVE("", "#pragma omp taskloop"), task));
	CHECK(!has(NAIVE("", "#pragma omp parallel"), task));
	CHECK(!has(NAIVE("#if 0\n#pragma omp task\n#endif\n", ""), task));
	catalogue_free(cat);
	cat = saved;
}

static void test_evidence(void)
{
	const char *src = NAIVE("/* line 1 */\n", "#pragma omp parallel for schedule(static)");
	struct tech_evidence ev[TECH_MAX];
	techset_t s;
	char why[128];
	CHECK(techniques_detect(cat, src, strlen(src), &s, ev, why, sizeof why) == 0);
	CHECK(s == (1u << TECH_OPENMP));
	CHECK(ev[TECH_OPENMP].line == 4);
	CHECK_STR(ev[TECH_OPENMP].what, "#pragma omp parallel for schedule(static)");
	CHECK(ev[TECH_SIMD].line == 0);

	src = IKJ("#pragma GCC unroll 8");
	CHECK(techniques_detect(cat, src, strlen(src), &s, ev, why, sizeof why) == 0);
	CHECK(ev[TECH_UNROLLING].line == 7);
	CHECK(ev[TECH_LOOP_REORDER].line == 8);
	CHECK(strstr(ev[TECH_LOOP_REORDER].what, "loop j") != NULL);

	/* a technique inside a macro: the line that uses it */
	src = "#define PAR _Pragma(\"omp parallel for\")\n\n" SIG "{\n PAR\n for (int i = 0; i < m; i++) C[i] = 0;\n}\n";
	CHECK(techniques_detect(cat, src, strlen(src), &s, ev, why, sizeof why) == 0);
	CHECK(ev[TECH_OPENMP].line == 5);
	/* no evidence array is fine */
	CHECK(techniques_detect(cat, src, strlen(src), &s, NULL, why, sizeof why) == 0);
}

static void test_hostile(void)
{
	size_t n = 64 * 1024;
	char *buf = util_xmalloc(4 * n + 64), why[256];
	techset_t s;
	unsigned x = 12345;
	int rc;

	/* random bytes, random C-ish tokens */
	for (int round = 0; round < 6; round++) {
		static const char *const bits[] = {"for", "(", ")", "{", "}", "[", "]", ";", "=", "+=",
						   "i", "j", "+", "*", "#define M(x) x\n", "#if 0\n",
						   "#endif\n", "#else\n", "_Pragma(\"omp parallel\")",
						   "M(", ",", "0", "64", "\n", "\"", "/*", "*/",
						   "\\\n", "dgemm", "double", "while", "#", "##", "_mm256_add_pd"};
		size_t len = 0;
		while (len < n - 40) {
			x = x * 1103515245u + 12345u;
			if (round == 0) {
				buf[len++] = (char)(x >> 16);
			} else {
				const char *b = bits[(x >> 16) % (sizeof bits / sizeof *bits)];
				memcpy(buf + len, b, strlen(b));
				len += strlen(b);
				buf[len++] = ' ';
			}
		}
		why[0] = '\0';
		rc = techniques_detect(cat, buf, len, &s, NULL, why, sizeof why);
		CHECK(rc == 0 || (rc == -1 && why[0]));
	}
	/* deep nesting of loops, braces, ifs and parentheses; unbalanced all ways */
	{
		static const char *const unit[] = {"for(i=0;i<n;i+=64)", "{", "if(a)", "(", "}", ")",
						   "while(x)"};
		for (size_t u = 0; u < sizeof unit / sizeof *unit; u++) {
			size_t len = (size_t)snprintf(buf, 4 * n, "%s{", SIG);
			while (len + 20 < 4 * n)
				len += (size_t)sprintf(buf + len, "%s", unit[u]);
			rc = techniques_detect(cat, buf, len, &s, NULL, why, sizeof why);
			CHECK(rc == 0);
		}
	}
	/* macros that expand without end */
	{
		size_t len = (size_t)sprintf(buf, "#define A0 x x\n");
		for (int i = 1; i < 40; i++)
			len += (size_t)sprintf(buf + len, "#define A%d A%d A%d\n", i, i - 1, i - 1);
		len += (size_t)sprintf(buf + len, "A39\n#define S S S\nS\n#define F(x) F(x x)\nF(1)\n");
		CHECK(techniques_detect(cat, buf, len, &s, NULL, why, sizeof why) == 0);
	}
	/* NUL bytes, an empty source, and what the lexer refuses */
	CHECK(techniques_detect(cat, "\0\0\0", 3, &s, NULL, why, sizeof why) == 0 && s == 0);
	CHECK(techniques_detect(cat, "", 0, &s, NULL, why, sizeof why) == 0 && s == 0);
	CHECK(techniques_detect(cat, "int x = 1'000;", 14, &s, NULL, why, sizeof why) == -1);
	CHECK(strstr(why, "digit separators") != NULL);
	free(buf);
}

/* Every labelled kernel of tests/techniques/dev agrees with its first line. */
static void test_dev(void)
{
	const char *top = getenv("top_srcdir");
	char dir[4096], path[8192], err[256];
	struct dirent *e;
	DIR *dp;
	int files = 0;

	snprintf(dir, sizeof dir, "%s/tests/techniques/dev", top && *top ? top : "..");
	if (!(dp = opendir(dir))) {
		fprintf(stderr, "test_techniques: cannot open %s\n", dir);
		CHECK(!"the dev kernels are there");
		return;
	}
	while ((e = readdir(dp))) {
		size_t len = strlen(e->d_name), l;
		char *src, label[512], *q;
		techset_t want, got;
		if (len < 3 || strcmp(e->d_name + len - 2, ".c") != 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (!(src = util_read_file(path, 0, &len))) {
			CHECK(!"a dev kernel is readable");
			continue;
		}
		files++;
		/* "/" "* techniques: a b *" "/" -> "a+b" */
		l = strcspn(src, "\n");
		q = strstr(src, "techniques:");
		if (!q || (size_t)(q - src) > l || strncmp(src, "/*", 2) != 0) {
			fprintf(stderr, "%s: no label\n", path);
			CHECK(!"every dev kernel has a label");
			free(src);
			continue;
		}
		q += strlen("techniques:");
		while (*q == ' ')
			q++;
		snprintf(label, sizeof label, "%.*s", (int)strcspn(q, "*\n"), q);
		for (char *c = label + strlen(label); c > label && c[-1] == ' '; c--)
			c[-1] = '\0';
		for (char *c = label; *c; c++)
			if (*c == ' ')
				*c = '+';
		CHECK(techset_parse(cat, label, &want, err, sizeof err) == 0);
		CHECK(techniques_detect(cat, src, len, &got, NULL, err, sizeof err) == 0);
		if (got != want) {
			char g[512], w[512];
			techset_format(cat, got, g, sizeof g);
			techset_format(cat, want, w, sizeof w);
			fprintf(stderr, "%s: found %s, labelled %s\n", e->d_name, g, w);
		}
		CHECK(got == want);
		free(src);
	}
	closedir(dp);
	CHECK(files >= 20);
}

int main(void)
{
	cat = catalogue_new();
	test_openmp();
	test_simd();
	test_decoys();
	test_loops();
	test_user();
	test_evidence();
	test_hostile();
	test_dev();
	catalogue_free(cat);
	return CHECK_DONE();
}
