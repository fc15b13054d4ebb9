/* test_policy.c - policy_check() against forbidden constructs, evasions and real kernels. */
#include "config.h"
#include "../lib/check.h"
#include "policy.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A minimal kernel, so that a case fails for its own reason and not for a missing dgemm. */
#define K "\nvoid dgemm(int m, int n, int k, const double *A, const double *B, double *C)\n" \
	  "{ (void)m; (void)n; (void)k; (void)A; (void)B; (void)C; }\n"

/* Realistic correct kernels: each compiles with cc -std=c11 -O3 -march=native -fopenmp
 * and computes C = A*B. None may be rejected. */
static const char kernel_naive[] =
	"/* naive triple loop */\n"
	"#include <stddef.h>\n"
	"\n"
	"void dgemm(int m, int n, int k, const double *A, const double *B, double *C)\n"
	"{\n"
	"    for (int i = 0; i < m; i++)\n"
	"        for (int j = 0; j < n; j++) {\n"
	"            double sum = 0.0;\n"
	"            for (int p = 0; p < k; p++)\n"
	"                sum += A[(size_t)i * k + p] * B[(size_t)p * n + j];\n"
	"            C[(size_t)i * n + j] = sum;\n"
	"        }\n"
	"}\n";

static const char kernel_openmp[] =
	"#include <omp.h>\n"
	"#include <string.h>\n"
	"#include <stdlib.h>\n"
	"\n"
	"// OpenMP over rows, i-k-j order; B is read once per row of A.\n"
	"void dgemm(int m, int n, int k, const double *restrict A, const double *restrict B,\n"
	"           double *restrict C)\n"
	"{\n"
	"    #pragma omp parallel for collapse(1) schedule(static) if (m * (long)n * k > 32768)\n"
	"    for (int i = 0; i < m; i++) {\n"
	"        double *restrict c = C + (size_t)i * n;\n"
	"        memset(c, 0, sizeof(double) * (size_t)n);\n"
	"        for (int p = 0; p < k; p++) {\n"
	"            const double a = A[(size_t)i * k + p];\n"
	"            const double *restrict b = B + (size_t)p * n;\n"
	"            #pragma omp simd\n"
	"            for (int j = 0; j < n; j++)\n"
	"                c[j] += a * b[j];\n"
	"        }\n"
	"    }\n"
	"}\n";

static const char kernel_avx2[] =
	"#include <stdint.h>\n"
	"#include <stdlib.h>\n"
	"#include <string.h>\n"
	"#ifdef __AVX2__\n"
	"#include <immintrin.h>\n"
	"#endif\n"
	"\n"
	"/* 4 rows x 8 columns register tile with FMA; scalar code for the edges. */\n"
	"static inline void tile_scalar(int i0, int i1, int j0, int j1, int n, int k,\n"
	"                               const double *A, const double *B, double *C)\n"
	"{\n"
	"    for (int i = i0; i < i1; i++)\n"
	"        for (int j = j0; j < j1; j++) {\n"
	"            double s = 0.0;\n"
	"            for (int p = 0; p < k; p++)\n"
	"                s += A[(size_t)i * k + p] * B[(size_t)p * n + j];\n"
	"            C[(size_t)i * n + j] = s;\n"
	"        }\n"
	"}\n"
	"\n"
	"void dgemm(int m, int n, int k, const double *A, const double *B, double *C)\n"
	"{\n"
	"#ifdef __AVX2__\n"
	"    const int m4 = m & ~3, n8 = n & ~7;\n"
	"    #pragma omp parallel for schedule(dynamic, 4)\n"
	"    for (int i = 0; i < m4; i += 4) {\n"
	"        for (int j = 0; j < n8; j += 8) {\n"
	"            __m256d c00 = _mm256_setzero_pd(), c01 = _mm256_setzero_pd();\n"
	"            __m256d c10 = _mm256_setzero_pd(), c11 = _mm256_setzero_pd();\n"
	"            __m256d c20 = _mm256_setzero_pd(), c21 = _mm256_setzero_pd();\n"
	"            __m256d c30 = _mm256_setzero_pd(), c31 = _mm256_setzero_pd();\n"
	"            for (int p = 0; p < k; p++) {\n"
	"                const double *b = B + (size_t)p * n + j;\n"
	"                _mm_prefetch((const char *)(b + 8 * (size_t)n), _MM_HINT_T0);\n"
	"                __m256d b0 = _mm256_loadu_pd(b), b1 = _mm256_loadu_pd(b + 4);\n"
	"                __m256d a0 = _mm256_broadcast_sd(&A[(size_t)(i + 0) * k + p]);\n"
	"                __m256d a1 = _mm256_broadcast_sd(&A[(size_t)(i + 1) * k + p]);\n"
	"                __m256d a2 = _mm256_broadcast_sd(&A[(size_t)(i + 2) * k + p]);\n"
	"                __m256d a3 = _mm256_broadcast_sd(&A[(size_t)(i + 3) * k + p]);\n"
	"                c00 = _mm256_fmadd_pd(a0, b0, c00); c01 = _mm256_fmadd_pd(a0, b1, c01);\n"
	"                c10 = _mm256_fmadd_pd(a1, b0, c10); c11 = _mm256_fmadd_pd(a1, b1, c11);\n"
	"                c20 = _mm256_fmadd_pd(a2, b0, c20); c21 = _mm256_fmadd_pd(a2, b1, c21);\n"
	"                c30 = _mm256_fmadd_pd(a3, b0, c30); c31 = _mm256_fmadd_pd(a3, b1, c31);\n"
	"            }\n"
	"            double *c = C + (size_t)i * n + j;\n"
	"            _mm256_storeu_pd(c, c00); _mm256_storeu_pd(c + 4, c01); c += n;\n"
	"            _mm256_storeu_pd(c, c10); _mm256_storeu_pd(c + 4, c11); c += n;\n"
	"            _mm256_storeu_pd(c, c20); _mm256_storeu_pd(c + 4, c21); c += n;\n"
	"            _mm256_storeu_pd(c, c30); _mm256_storeu_pd(c + 4, c31);\n"
	"        }\n"
	"        tile_scalar(i, i + 4, n8, n, n, k, A, B, C);\n"
	"    }\n"
	"    tile_scalar(m4, m, 0, n, n, k, A, B, C);\n"
	"#else\n"
	"    tile_scalar(0, m, 0, n, n, k, A, B, C);\n"
	"#endif\n"
	"}\n";

static const char kernel_blocked[] =
	"#define _POSIX_C_SOURCE 200112L\n"
	"#include <stdlib.h>\n"
	"#include <string.h>\n"
	"#include <stdint.h>\n"
	"\n"
	"#define MC 64\n"
	"#define KC 256\n"
	"#define NC 512\n"
	"#define MIN(a, b) ((a) < (b) ? (a) : (b))\n"
	"\n"
	"typedef struct { int rows, cols; double *data; } panel_t;\n"
	"\n"
	"/* Pack a KC x NC block of B so the micro loop reads it with unit stride. */\n"
	"static void pack_b(int kc, int nc, const double *B, int ldb, double *restrict out)\n"
	"{\n"
	"    for (int p = 0; p < kc; p++)\n"
	"        memcpy(out + (size_t)p * nc, B + (size_t)p * ldb, sizeof(double) * (size_t)nc);\n"
	"}\n"
	"\n"
	"static inline __attribute__((always_inline)) void\n"
	"block_kernel(int mc, int nc, int kc, const double *restrict A, int lda,\n"
	"             const panel_t *bp, double *restrict C, int ldc)\n"
	"{\n"
	"    const double *restrict b = __builtin_assume_aligned(bp->data, 64);\n"
	"    for (int i = 0; i < mc; i++)\n"
	"        for (int p = 0; p < kc; p++) {\n"
	"            const double a = A[(size_t)i * lda + p];\n"
	"            __builtin_prefetch(&b[(size_t)(p + 4) * nc], 0, 1);\n"
	"            for (int j = 0; j < nc; j++)\n"
	"                C[(size_t)i * ldc + j] += a * b[(size_t)p * nc + j];\n"
	"        }\n"
	"}\n"
	"\n"
	"void dgemm(int m, int n, int k, const double *A, const double *B, double *C)\n"
	"{\n"
	"    double *buf = NULL;\n"
	"    if (posix_memalign((void **)&buf, 64, sizeof(double) * KC * NC) != 0) {\n"
	"        buf = aligned_alloc(64, sizeof(double) * KC * NC);\n"
	"        if (!buf)\n"
	"            return;\n"
	"    }\n"
	"    panel_t bp = { 0, 0, buf };\n"
	"    memset(C, 0, sizeof(double) * (size_t)m * n);\n"
	"    for (int jc = 0; jc < n; jc += NC) {\n"
	"        int nc = MIN(NC, n - jc);\n"
	"        for (int pc = 0; pc < k; pc += KC) {\n"
	"            int kc = MIN(KC, k - pc);\n"
	"            pack_b(kc, nc, B + (size_t)pc * n + jc, n, bp.data);\n"
	"            bp.rows = kc;\n"
	"            bp.cols = nc;\n"
	"            for (int ic = 0; ic < m; ic += MC)\n"
	"                block_kernel(MIN(MC, m - ic), nc, kc, A + (size_t)ic * k + pc, k, &bp,\n"
	"                             C + (size_t)ic * n + jc, n);\n"
	"        }\n"
	"    }\n"
	"    free(buf);\n"
	"}\n";

static const char kernel_unroll[] =
	"#include <stddef.h>\n"
	"#include <string.h>\n"
	"#include <omp.h>\n"
	"\n"
	"__attribute__((hot, optimize(\"O3\"), target(\"avx2,fma\")))\n"
	"void dgemm(int m, int n, int k, const double *__restrict__ A, const double *__restrict__ B,\n"
	"           double *__restrict__ C)\n"
	"{\n"
	"    int nthreads = omp_get_max_threads();\n"
	"    (void)nthreads;\n"
	"#pragma omp parallel for schedule(static)\n"
	"    for (int i = 0; i < m; i++) {\n"
	"        double *__restrict__ c = C + (size_t)i * n;\n"
	"        for (int j = 0; j < n; j++)\n"
	"            c[j] = 0.0;\n"
	"        for (int p = 0; p < k; p++) {\n"
	"            const double a = A[(size_t)i * k + p];\n"
	"            const double *__restrict__ b = B + (size_t)p * n;\n"
	"#pragma GCC unroll 8\n"
	"#pragma GCC ivdep\n"
	"            for (int j = 0; j < n; j++)\n"
	"                c[j] += a * b[j];\n"
	"        }\n"
	"    }\n"
	"}\n";

static const struct {
	const char *src;
	const char *why; /* NULL: must pass */
} cases[] = {
	/* ---- forbidden calls, one per family ---- */
	{ "int f(void) { return fork(); }" K, "forbidden call: fork" },
	{ "int f(void) { return fork /* c */ (); }" K, "forbidden call: fork" },
	{ "int f(void) { return vfork(); }" K, "forbidden call: vfork" },
	{ "void f(void) { system(\"rm -rf /\"); }" K, "forbidden call: system" },
	{ "void f(void) { popen(\"sh\", \"r\"); }" K, "forbidden call: popen" },
	{ "void f(char **a) { execve(a[0], a, 0); }" K, "forbidden call: execve" },
	{ "void f(char **a) { execvp(a[0], a); }" K, "forbidden call: execvp" },
	{ "void f(void) { posix_spawn(0, 0, 0, 0, 0, 0); }" K, "forbidden call: posix_spawn" },
	{ "long f(void) { return syscall(39); }" K, "forbidden call: syscall" },
	{ "void f(void) { socket(2, 1, 0); }" K, "forbidden call: socket" },
	{ "void f(void) { connect(3, 0, 0); }" K, "forbidden call: connect" },
	{ "void f(void) { fopen(\"/etc/passwd\", \"r\"); }" K, "forbidden call: fopen" },
	{ "void f(void) { open(\"x\", 0); }" K, "forbidden call: open" },
	{ "void f(int fd, char *b) { read(fd, b, 1); }" K, "forbidden call: read" },
	{ "void f(void) { write(1, \"x\", 1); }" K, "forbidden call: write" },
	{ "void f(void) { printf(\"%d\", 1); }" K, "forbidden call: printf" },
	{ "void f(void) { unlink(\"x\"); }" K, "forbidden call: unlink" },
	{ "void f(void) { mmap(0, 4096, 7, 34, -1, 0); }" K, "forbidden call: mmap" },
	{ "void f(void *p) { mprotect(p, 4096, 7); }" K, "forbidden call: mprotect" },
	{ "void f(void) { ptrace(0, 0, 0, 0); }" K, "forbidden call: ptrace" },
	{ "void f(void) { kill(1, 9); }" K, "forbidden call: kill" },
	{ "void f(void) { signal(11, 0); }" K, "forbidden call: signal" },
	{ "void f(void) { exit(0); }" K, "forbidden call: exit" },
	{ "void f(void) { _exit(0); }" K, "forbidden call: _exit" },
	{ "void g(void); void f(void) { atexit(g); }" K, "forbidden call: atexit" },
	{ "void f(void) { pthread_create(0, 0, 0, 0); }" K, "forbidden call: pthread_create" },
	{ "void f(void) { setenv(\"OMP_NUM_THREADS\", \"64\", 1); }" K, "forbidden call: setenv" },
	{ "void f(void) { dlopen(\"libopenblas.so\", 1); }" K, "forbidden call: dlopen" },
	{ "void *f(void *h) { return dlsym(h, \"dgemm_\"); }" K, "forbidden call: dlsym" },
	/* A forbidden name is forbidden without a call, too: its address can be called. */
	{ "int (*p)(void) = fork;" K, "forbidden call: fork" },
	/* GCC's builtins for libc routines. */
	{ "void f(void) { __builtin_printf(\"x\"); }" K, "forbidden call: printf" },
	{ "void f(void) { __builtin_exit(0); }" K, "forbidden call: exit" },

	/* ---- BLAS, LAPACK and their kin ---- */
	{ "void dgemm(int m, int n, int k, const double *A, const double *B, double *C)\n"
	  "{ cblas_dgemm(101, 111, 111, m, n, k, 1.0, A, k, B, n, 0.0, C, n); }\n",
	  "forbidden call: cblas_dgemm" },
	{ "void dgemm(int m, int n, int k, const double *A, const double *B, double *C)\n"
	  "{ char t = 'N'; double one = 1, zero = 0;\n"
	  "  dgemm_(&t, &t, &n, &m, &k, &one, B, &n, A, &k, &zero, C, &n); }\n",
	  "forbidden call: dgemm_" },
	{ "void f(void) { sgemm(0); }" K, "forbidden call: sgemm" },
	{ "void f(void) { openblas_set_num_threads(1); }" K, "forbidden call: openblas_set_num_threads" },
	{ "void f(void) { LAPACKE_dgesv(0, 0, 0, 0, 0, 0, 0, 0); }" K, "forbidden call: LAPACKE_dgesv" },
	{ "void f(void) { lapack_int n = 0; (void)n; }" K, "forbidden call: lapack_int" },
	{ "void f(void) { cblas_abcdefghijabcdefghijabcdefghijabcdefghij(); }" K,
	  "forbidden call: cblas_..." },

	/* ---- asm ---- */
	{ "void f(void) { asm(\"syscall\"); }" K, "asm is not allowed" },
	{ "void f(void) { __asm__ volatile(\"\" ::: \"memory\"); }" K, "asm is not allowed" },
	{ "void f(void) { __asm (\"nop\"); }" K, "asm is not allowed" },
	{ "register long r __asm__(\"rax\");" K, "asm is not allowed" },

	/* ---- headers ---- */
	{ "#include <stdio.h>" K, "header <stdio.h> is not allowed" },
	{ "# include <stdio.h>" K, "header <stdio.h> is not allowed" },
	{ "  #  include   <unistd.h>" K, "header <unistd.h> is not allowed" },
	{ "#\tinclude <stdio.h>" K, "header <stdio.h> is not allowed" },
	{ "#inc\\\nlude <stdio.h>" K, "header <stdio.h> is not allowed" },
	{ "#inc\\  \nlude <stdio.h>" K, "header <stdio.h> is not allowed" },
	{ "#inc\\\r\nlude <stdio.h>\r\n" K, "header <stdio.h> is not allowed" },
	{ "#/* c */include <stdio.h>" K, "header <stdio.h> is not allowed" },
	{ "/* lead */ #include <stdio.h>" K, "header <stdio.h> is not allowed" },
	{ "%:include <stdio.h>" K, "header <stdio.h> is not allowed" },
	{ "#include <std/**/io.h>" K, "header paths are not allowed" },
	{ "#include \"kernel.h\"" K, "quoted #include is not allowed, only <header.h> from the list" },
	{ "#include \"/etc/shadow\"" K, "quoted #include is not allowed, only <header.h> from the list" },
	{ "#define H <stdio.h>\n#include H" K, "#include of a macro is not allowed" },
	{ "#include </etc/passwd>" K, "header paths are not allowed" },
	{ "#include <../../secret.h>" K, "header paths are not allowed" },
	{ "#include <sys/syscall.h>" K, "header paths are not allowed" },
	{ "#include <math.h" K, "malformed #include" },
	{ "#include" K, "malformed #include" },
	{ "#include <math.h> <stdio.h>" K, "extra tokens after #include" },
	{ "#include <abcdefghijabcdefghijabcdefghijabcdefghijabcdefghij.h>" K,
	  "header is not allowed" },
	{ "#include_next <stdlib.h>" K, "#include_next is not allowed" },
	{ "#import <math.h>" K, "#import is not allowed" },
	{ "#embed \"/etc/passwd\"" K, "#embed is not allowed" },
	/* Even where the preprocessor would skip it: the policy reads every line. */
	{ "#if 0\n#include <stdio.h>\n#endif" K, "header <stdio.h> is not allowed" },

	/* ---- pragmas ---- */
	{ "#pragma GCC optimize(\"O0\")" K, "#pragma GCC optimize is not allowed" },
	{ "#pragma GCC push_options" K, "#pragma GCC push_options is not allowed" },
	{ "#pragma GCC" K, "#pragma GCC is only allowed as GCC unroll or GCC ivdep" },
	{ "#pragma once" K, "#pragma once is not allowed" },
	{ "#pragma weak dgemm" K, "#pragma weak is not allowed" },
	{ "#pragma \"x\"" K, "#pragma is only allowed for omp, GCC unroll and GCC ivdep" },
	{ "#pr\\\nagma GCC dependency \"/etc/passwd\"" K, "#pragma GCC dependency is not allowed" },
	{ "_Pragma(\"GCC optimize(\\\"O0\\\")\")" K, "_Pragma GCC optimize is not allowed" },
	{ "_Pragma(L\"once\")" K, "_Pragma once is not allowed" },
	{ "#define P(x) _Pragma(#x)\nP(GCC optimize(\"O0\"))" K, "_Pragma needs one plain string literal" },
	{ "_Pragma(\"omp parallel num_threads(fork())\")" K, "forbidden call: fork" },
	{ "_Pragma(\"omp _Pragma(\\\"once\\\")\")" K, "nested _Pragma is not allowed" },
	{ "#pragma omp parallel num_threads(system(\"x\"))" K, "forbidden call: system" },
	{ "#pragma omp parallel if((fork)())" K, "forbidden call: fork" },
	{ "#pragma omp atomic read asm" K, "asm is not allowed" },

	/* ---- attributes ---- */
	{ "__attribute__((constructor)) static void init(void) {}" K,
	  "constructor/destructor attributes are not allowed" },
	{ "static void __attribute__ ((__destructor__)) fini(void) {}" K,
	  "constructor/destructor attributes are not allowed" },
	{ "__attribute((constructor(101))) static void init(void) {}" K,
	  "constructor/destructor attributes are not allowed" },
	{ "[[gnu::constructor]] static void init(void) {}" K,
	  "constructor/destructor attributes are not allowed" },
	{ "[[__gnu__::__destructor__]] static void fini(void) {}" K,
	  "constructor/destructor attributes are not allowed" },
	{ "<:<:gnu::section(\".init_array\"):>:> static int x;" K,
	  "attribute section is not allowed" },
	{ "#define CTOR constructor\n__attribute__((CTOR)) static void init(void) {}" K,
	  "constructor/destructor attributes are not allowed" },
	{ "#define DTOR __destructor__\n__attribute__((DTOR)) static void fini(void) {}" K,
	  "constructor/destructor attributes are not allowed" },
	{ "static void (*p)(void) __attribute__((section(\".init_array\"), used));" K,
	  "attribute section is not allowed" },
	{ "static int x __attribute__((__used__));" K, "attribute used is not allowed" },
	{ "int y __attribute__((visibility(\"default\")));" K, "attribute visibility is not allowed" },
	{ "void g(void) __attribute__((alias(\"dgemm\")));" K, "attribute alias is not allowed" },
	{ "void f(void) { int x __attribute__((cleanup(f))) = 0; (void)x; }" K,
	  "attribute cleanup is not allowed" },
	{ "static void *r(void) { return 0; }\nvoid g(void) __attribute__((ifunc(\"r\")));" K,
	  "attribute ifunc is not allowed" },
	{ "static void h(void) __attribute__((weakref(\"fork\")));" K, "attribute weakref is not allowed" },
	{ "#define ATTR __attribute__\nATTR((constructor)) static void i(void) {}" K,
	  "__attribute__ must be followed by its arguments" },

	/* ---- #line, linemarkers and other directives (issue 13, class 3): they rename the
	 * file the preprocessed text says it is in, in any spelling ---- */
	{ "#line 1 \"kernel.c\"" K, "#line and linemarkers are not allowed" },
	{ "#line 1 \"x.h\"" K, "#line and linemarkers are not allowed" },
	{ "#line 40" K, "#line and linemarkers are not allowed" },
	{ "# 1 \"x.h\" 3" K, "#line and linemarkers are not allowed" },
	{ "#1 \"/usr/include/stdlib.h\" 1 3 4" K, "#line and linemarkers are not allowed" },
	{ "  #  /* c */ 7" K, "#line and linemarkers are not allowed" },
	{ "%:line 1 \"omp.h\"" K, "#line and linemarkers are not allowed" },
	{ "  %: li\\\nne 7 \"omp.h\"" K, "#line and linemarkers are not allowed" },
	{ "#\\\n 1 \"x.h\"" K, "#line and linemarkers are not allowed" },
	{ "/* a\n */ # 1 \"x.h\"" K, "#line and linemarkers are not allowed" },
	{ "#if 0\n# 1 \"x.h\"\n#endif" K, "#line and linemarkers are not allowed" },
	{ "#ident \"x\"" K, "#ident is not allowed" },
	{ "#sccs \"x\"" K, "#sccs is not allowed" },
	{ "#assert machine(x86)" K, "#assert is not allowed" },
	{ "#unassert machine" K, "#unassert is not allowed" },
	{ "# \"x.h\"" K, "malformed directive" },
	{ "#define X 1\n#undef X\n#ifdef X\n#elif 1\n#else\n#endif\n#ifndef Y\n#endif\n"
	  "#if defined(Z)\n#error no\n#warning no\n#endif\n#\n" K, NULL },

	/* ---- the unroll factor (issue 13, class 8): gcc copies the body that often ---- */
	{ "#pragma GCC unroll 64" K, NULL },
	{ "#pragma GCC unroll 0\n#pragma GCC unroll 1" K, NULL },
	{ "#pragma GCC unroll 65" K, "GCC unroll factor is over the limit of 64" },
	{ "#pragma GCC unroll 65534" K, "GCC unroll factor is over the limit of 64" },
	{ "#pragma GCC unroll 99999999999999999999999999" K, "GCC unroll factor is over the limit of 64" },
	{ "_Pragma(\"GCC unroll 65534\")" K, "GCC unroll factor is over the limit of 64" },
	{ "#define HOT _Pragma(\"GCC unroll 65534\")" K, "GCC unroll factor is over the limit of 64" },
	{ "#define U 65534\n#pragma GCC unroll U" K, "GCC unroll needs a decimal literal of at most 64" },
	{ "#pragma GCC unroll 0x10" K, "GCC unroll needs a decimal literal of at most 64" },
	{ "#pragma GCC unroll 8u" K, "GCC unroll needs a decimal literal of at most 64" },
	{ "#pragma GCC unroll (8)" K, "GCC unroll needs a decimal literal of at most 64" },
	{ "#pragma GCC unroll" K, "GCC unroll needs a decimal literal of at most 64" },
	{ "#pragma GCC unroll 8 * 8192" K, "extra tokens after GCC unroll" },

	/* ---- lexical ambiguity, size and shape ---- */
	{ "?\?=include <stdio.h>" K, "trigraphs are not allowed" },
	{ "const char *s = R\"x( \" )x\"; int q = 1;" K, "raw string literals are not allowed" },
	{ "int big = 1'000'000;" K, "digit separators are not allowed" },
	{ "int f(void) { return 1; }", "no dgemm function defined" },
	{ "/* void dgemm(int m) {} */ int x;", "no dgemm function defined" },
	{ "struct s; int y(struct s *p) { return p->dgemm; }", "no dgemm function defined" },
	{ "#define M .\nint z = fork();" K, "forbidden call: fork" },

	/* ---- must pass: look-alikes, comments, strings, members ---- */
	{ "// fork() and system(\"rm\") are not called here\n" K, NULL },
	{ "/* exit(0);\n   printf(\"x\"); */" K, NULL },
	{ "// a comment continued \\\n fork();\n" K, NULL },
	{ "static const char *note = \"#pragma omp parallel, system(), fork()\";" K, NULL },
	{ "static const char c = 'f', *w = L\"write\";" K, NULL },
	{ "static int open_count, readA, ib, open_blocks, _mm256, fork_join, exit_code;" K, NULL },
	{ "struct io;\nint g(struct io x, struct io *p)\n"
	  "{ return x.open + p->read + p -> write + x.\nexit; }" K, NULL },
	/* Declaring one is no member access: only exact names are refused, but anywhere. */
	{ "struct io { int open; };" K, "forbidden call: open" },
	{ "#pragma omp parallel for collapse(2) schedule(static)\n#pragma GCC unroll 8\n"
	  "#pragma GCC ivdep\n#pragma\n" K, NULL },
	{ "_Pragma(\"omp parallel for\") _Pragma(\"GCC unroll 4\")" K, NULL },
	/* OpenMP clause names that share a spelling with libc calls. */
	{ "#pragma omp atomic read\n#pragma omp atomic write seq_cst\n"
	  "#pragma omp loop bind(thread)\n_Pragma(\"omp atomic read\")" K, NULL },
	{ "#define PAR _Pragma(\"omp parallel for simd\")" K, NULL },
	{ "static double buf[64] __attribute__((aligned(64)));\n"
	  "static inline __attribute__((always_inline, hot, target(\"avx2\"), optimize(\"O3\")))"
	  " int two(void) { return 2; }\n"
	  "__attribute__((noinline, unused)) static int three(void) { return 3; }\n"
	  "typedef double v4d __attribute__((vector_size(32), __may_alias__));" K, NULL },
	{ "[[maybe_unused]] static int unused_var;\n[[gnu::always_inline]] static inline int f(void);"
	  K, NULL },
	{ "static int a[2][2]; int g(void) { return a[0][1]; }" K, NULL },
	{ "double f(double *restrict x, const double *__restrict__ y)"
	  " { return __builtin_assume_aligned(x, 64) ? *y : 0; }" K, NULL },
	{ "float h = 0x1.8p-3f; double e = 1e+10, d = .5e-3;" K, NULL },
	{ "static const char q = '\\'', dq = '\"';" K, NULL },
	{ "#include <immintrin.h>\n#include <x86intrin.h>\n#include <xmmintrin.h>\n"
	  "#include <emmintrin.h>\n#include <pmmintrin.h>\n#include <tmmintrin.h>\n"
	  "#include <smmintrin.h>\n#include <nmmintrin.h>\n#include <string.h>\n"
	  "#include <stdlib.h>\n#include <math.h>\n#include <stdint.h>\n#include <stddef.h>\n"
	  "#include <stdbool.h>\n#include <stdalign.h>\n#include <float.h>\n#include <limits.h>\n"
	  "#include <omp.h>   /* threads */\n" K, NULL },
	{ "#include <math.h>\r\n#pragma omp parallel\r\n" K, NULL },
	{ "void dgemm(int m, int n, int k, const double *A, const double *B, double *C) {}\n"
	  "/* unterminated comment", NULL },
	{ kernel_naive, NULL },
	{ kernel_openmp, NULL },
	{ kernel_avx2, NULL },
	{ kernel_blocked, NULL },
	{ kernel_unroll, NULL },
};

static void test_cases(void)
{
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char why[256] = "unset";
		int r = policy_check(cases[i].src, strlen(cases[i].src), why, sizeof why);
		if (cases[i].why) {
			CHECK(r == -1);
			CHECK_STR(why, cases[i].why);
		} else {
			CHECK(r == 0);
			CHECK_STR(why, "");
		}
		if ((r == 0) != (cases[i].why == NULL) ||
		    (cases[i].why && strcmp(why, cases[i].why) != 0))
			fprintf(stderr, "  ... in case %zu: %.60s\n", i, cases[i].src);
	}
}

static void test_limits(void)
{
	char why[256];
	size_t n = 70000;
	char *big = util_xmalloc(n + 1);
	static const char nul[] = "void dgemm(int m) { (void)m; }\0 fork();";

	/* Over the limit, even when all of it is harmless. */
	memset(big, ' ', n);
	memcpy(big, "void dgemm(int m) {}", 20);
	big[n] = '\0';
	CHECK(policy_check(big, n, why, sizeof why) == -1);
	CHECK_STR(why, "source is 70000 bytes, over the 65536 byte limit");
	CHECK(policy_check(big, POLICY_MAX_SOURCE, why, sizeof why) == 0);
	CHECK(policy_check(big, POLICY_MAX_SOURCE + 1, why, sizeof why) == -1);
	free(big);

	CHECK(policy_check(nul, sizeof nul - 1, why, sizeof why) == -1);
	CHECK_STR(why, "source contains a NUL byte");
	CHECK(policy_check("", 0, why, sizeof why) == -1);
	CHECK_STR(why, "no dgemm function defined");

	/* A short or absent reason buffer is fine. */
	CHECK(policy_check("int x = fork();" K, strlen("int x = fork();" K), NULL, 0) == -1);
	{
		char small[8];
		CHECK(policy_check("int x = fork();" K, strlen("int x = fork();" K), small,
				   sizeof small) == -1);
		CHECK_STR(small, "forbidd");
	}
}

/* A reason names at most a short identifier: never a line of the source. */
static void test_no_leak(void)
{
	static const char *const srcs[] = {
		"#include \"/home/user/.ssh/id_rsa_secret_key_material\"" K,
		"#include <secret_token_0123456789_0123456789_0123456789.h>" K,
		"#pragma secret_token_0123456789_0123456789_0123456789 x" K,
		"int cblas_secret_token_0123456789_0123456789_0123456789;" K,
	};
	for (size_t i = 0; i < sizeof srcs / sizeof *srcs; i++) {
		char why[256];
		CHECK(policy_check(srcs[i], strlen(srcs[i]), why, sizeof why) == -1);
		CHECK(strstr(why, "secret") == NULL);
		CHECK(strlen(why) < 80);
	}
}

/* Random bytes and random splices of C tokens: no crash, always an answer. */
static void test_fuzz(void)
{
	static const char *const pieces[] = {
		"#", "include", "<", ">", "\"", "'", "/*", "*/", "//", "\\\n", "\n", "\r", " ",
		"_Pragma", "(", ")", "[[", "]]", "__attribute__", "dgemm", "fork", ".", "->", "R",
		"u8", "1", "??", "%:", "<:", "pragma", "omp", "GCC", "\\", "e+", "x", "\xff",
	};
	unsigned seed = 4242;
	char why[128];
	for (int iter = 0; iter < 5000; iter++) {
		char buf[1024];
		size_t n = 0;
		int count = (int)((seed >> 8) % 80);
		for (int p = 0; p < count; p++) {
			const char *piece;
			size_t l;
			seed = seed * 1103515245u + 12345u;
			piece = pieces[(seed >> 16) % (sizeof pieces / sizeof *pieces)];
			l = strlen(piece);
			if (n + l >= sizeof buf)
				break;
			memcpy(buf + n, piece, l);
			n += l;
		}
		seed = seed * 1103515245u + 12345u;
		buf[n] = '\0';
		why[0] = 'x';
		if (policy_check(buf, n, why, sizeof why) != 0 && why[0] == '\0')
			CHECK(!"rejected without a reason");
	}
	for (int iter = 0; iter < 300; iter++) {
		char buf[600];
		for (size_t i = 0; i < sizeof buf; i++) {
			seed = seed * 1103515245u + 12345u;
			buf[i] = (char)(seed >> 16);
		}
		(void)policy_check(buf, sizeof buf, why, sizeof why);
	}
	CHECK(1);
}

/*
 * policy_check_expanded on what gcc -E really makes of a source (issue 13, class 3): lines
 * are the kernel's unless a real #include of an allowed header entered a system header,
 * whatever file name #line or a linemarker in the source gives them.
 */
static int expanded(const char *src, char *why, size_t whylen)
{
	char dir[] = "/tmp/perfrl-test-policy-XXXXXX", path[512], cmd[1200], *text;
	size_t len;
	int r = -2;
	FILE *f;

	if (!mkdtemp(dir))
		return -2;
	snprintf(path, sizeof path, "%s/kernel.c", dir);
	if ((f = fopen(path, "w"))) {
		fputs(src, f);
		fclose(f);
		snprintf(cmd, sizeof cmd,
			 "cd %s && " PERFRL_KERNEL_CC " -std=c11 -fopenmp -E kernel.c -o kernel.i 2>/dev/null",
			 dir);
		snprintf(path, sizeof path, "%s/kernel.i", dir);
		if (system(cmd) == 0 && (text = util_read_file(path, 64 << 20, &len))) {
			r = policy_check_expanded(text, len, "kernel.c", why, whylen);
			free(text);
		}
		unlink(path);
	}
	snprintf(path, sizeof path, "%s/kernel.c", dir);
	unlink(path);
	rmdir(dir);
	return r;
}

#define PASTE_ASM "#define P(a, b) a##b\n"
#define BODY "void dgemm(void) { P(__as, m__)(\"nop\"); }\n"

static void test_expanded(void)
{
	static const struct {
		const char *src, *why;
	} xs[] = {
		{ PASTE_ASM BODY, "after preprocessing: asm is not allowed" },
		/* The red team's two: the kernel's own lines renamed to a header's. */
		{ PASTE_ASM "#line 1 \"x.h\"\n" BODY, "after preprocessing: asm is not allowed" },
		{ PASTE_ASM "# 1 \"x.h\" 3\n" BODY, "after preprocessing: asm is not allowed" },
		{ PASTE_ASM "#line 1 \"/usr/include/stdlib.h\"\n" BODY,
		  "after preprocessing: asm is not allowed" },
		/* A pretended include: not from a system include directory, or not an
		 * allowed name, is still the kernel's text. */
		{ PASTE_ASM "# 1 \"/tmp/x/omp.h\" 1 3 4\n" BODY, "after preprocessing: asm is not allowed" },
		{ PASTE_ASM "# 1 \"/usr/include/unistd.h\" 1 3 4\n" BODY,
		  "after preprocessing: asm is not allowed" },
		{ PASTE_ASM "# 1 \"/usr/include/../../tmp/stdlib.h\" 1 3 4\n" BODY,
		  "after preprocessing: asm is not allowed" },
		/* After a real header, the kernel's lines are checked again. */
		{ "#include <stdlib.h>\n#define C(a, b) a##b\n"
		  "void dgemm(void) { C(sys, tem)(\"true\"); }\n", "after preprocessing: forbidden call: system" },
		/* The headers themselves declare exit and system: not the kernel's calls. */
		{ "#include <immintrin.h>\n#include <x86intrin.h>\n#include <string.h>\n"
		  "#include <stdlib.h>\n#include <math.h>\n#include <stdint.h>\n#include <stddef.h>\n"
		  "#include <stdbool.h>\n#include <float.h>\n#include <limits.h>\n#include <omp.h>\n"
		  "#define C(a, b) a##b\nvoid dgemm(void) { int C(x, y) = omp_get_max_threads(); (void)xy; }\n",
		  NULL },
	};
	for (size_t i = 0; i < sizeof xs / sizeof *xs; i++) {
		char why[256] = "unset";
		int r = expanded(xs[i].src, why, sizeof why);
		CHECK(r != -2);
		if (xs[i].why) {
			CHECK(r == -1);
			CHECK_STR(why, xs[i].why);
		} else {
			CHECK(r == 0);
			CHECK_STR(why, "");
		}
		if (r == -2 || (r == 0) != (xs[i].why == NULL) || (xs[i].why && strcmp(why, xs[i].why)))
			fprintf(stderr, "  ... in expanded case %zu\n", i);
	}
	{
		static const char bad[] = "# 1 \"kernel.c\n int x;\n";
		char why[256];
		CHECK(policy_check_expanded(bad, strlen(bad), "kernel.c", why, sizeof why) == -1);
		CHECK_STR(why, "after preprocessing: malformed linemarker");
	}
}

int main(void)
{
	test_expanded();
	test_cases();
	test_limits();
	test_no_leak();
	test_fuzz();
	return CHECK_DONE();
}
