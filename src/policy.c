/* policy.c - the cheap text checks a kernel source must pass before it is built. */
#include "config.h"
#include "policy.h"
#include "ccinfo.h"
#include "ctokens.h"
#include "util.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Longest identifier or header name a reason may quote: enough for a name, too short
 * to carry a line of someone's file. */
#define QUOTE_MAX 40
/* An attribute list longer than this is not one a kernel needs; the cap keeps a source
 * full of unbalanced "__attribute__((" linear. */
#define ATTR_TOKENS_MAX 256
/* The largest `#pragma GCC unroll` factor. GCC copies the loop body that many times
 * whatever the trip count: 65534 on one dot product takes gcc 12 past 60 s. Register
 * tiles unroll by 4 to 16; 64 leaves room for a fully unrolled 64-deep k block, and a
 * dot product unrolled 64 times at each of three nested levels compiles in 0.25 s
 * (tests/kernels/ok_unroll_cap.c). No cap makes compile time safe: a forced unroll of a
 * body of hundreds of statements is slow at any factor, which the compile time limit
 * answers; the cap removes the one-line bomb. */
#define UNROLL_MAX 64

/* ---- the rules ------------------------------------------------------------------- */

static const char *const allowed_headers[] = {
	"immintrin.h", "x86intrin.h", "xmmintrin.h", "emmintrin.h", "pmmintrin.h",
	"tmmintrin.h", "smmintrin.h", "nmmintrin.h", "string.h", "stdlib.h", "math.h",
	"stdint.h", "stddef.h", "stdbool.h", "stdalign.h", "float.h", "limits.h", "omp.h",
};

/* Routines that multiply for the kernel, start processes, touch files or the network,
 * end the process, or handle signals and threads behind the harness's back. */
static const char *const forbidden_calls[] = {
	"syscall",
	"dgemm_", "sgemm", "sgemm_", "dgemm_64_",
	"dlopen", "dlsym", "dlvsym", "dlmopen", "dlclose",
	"execl", "execle", "execlp", "execv", "execve", "execvp", "execvpe", "fexecve",
	"fork", "vfork", "clone", "clone3", "posix_spawn", "posix_spawnp", "system", "popen",
	"pclose",
	"socket", "connect", "bind", "listen", "accept", "accept4", "sendto", "recvfrom",
	"sendmsg", "recvmsg", "getaddrinfo",
	"fopen", "freopen", "fdopen", "open", "openat", "open64", "creat", "fwrite", "fread",
	"fprintf", "printf", "puts", "fputs", "write", "read", "unlink", "remove", "rename",
	"mkdir",
	"mmap", "munmap", "mprotect", "madvise", "ptrace", "prctl", "ioctl", "kill", "raise",
	"signal", "sigaction",
	"exit", "_exit", "_Exit", "quick_exit", "atexit", "at_quick_exit",
	"pthread_create", "thrd_create",
	"setenv", "putenv", "unsetenv",
};

/* The directives a kernel may use. Everything else is refused: #line and GNU linemarkers
 * (`# 1 "x.h" 3`) rename the file the preprocessed text says it is in, and #ident,
 * #assert, #sccs and kin have no use in a kernel. */
static const char *const allowed_directives[] = {
	"define", "undef", "include", "if", "ifdef", "ifndef", "elif", "elifdef", "elifndef",
	"else", "endif", "pragma", "error", "warning",
};

/* Families of library entry points, matched by prefix. */
static const char *const forbidden_prefixes[] = {
	"cblas_", "openblas_", "lapack", "LAPACK", "mkl_", "MKL_",
};

/* Attributes that place code or symbols where it runs outside a call of dgemm, or that
 * define or rename symbols. Matched with GCC's __name__ spelling folded to name. */
static const char *const bad_attributes[] = {
	"constructor", "destructor", "section", "ifunc", "alias", "weakref", "used",
	"visibility", "cleanup", "weak", "symver", "naked", "retain", "externally_visible",
};

/* Of those, the names that no kernel has any use for as plain identifiers either: seen
 * anywhere, they are rejected, so that `#define CTOR constructor` does not hide one. */
static const char *const bad_anywhere[] = {
	"constructor", "destructor", "ifunc", "weakref", "symver",
};

static int in_list(const char *s, size_t n, const char *const *list, size_t count)
{
	for (size_t i = 0; i < count; i++)
		if (strlen(list[i]) == n && memcmp(list[i], s, n) == 0)
			return 1;
	return 0;
}

#define IN_LIST(s, n, list) in_list(s, n, list, sizeof list / sizeof *list)

/* ---- tokens ---------------------------------------------------------------------- */

struct scan {
	char *why;
	size_t whylen;
	int depth; /* 1 inside the string of a _Pragma */
	int saw_dgemm;
};

static int fail(struct scan *sc, const char *fmt, ...) UTIL_PRINTF(2, 3);
static int fail(struct scan *sc, const char *fmt, ...)
{
	va_list ap;
	if (sc->why && sc->whylen) {
		va_start(ap, fmt);
		vsnprintf(sc->why, sc->whylen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int is_name_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_' ||
	       c == '$';
}

/* strchr(set, c) without its match of the terminating NUL. */
static int in_set(int c, const char *set)
{
	return c != '\0' && strchr(set, c) != NULL;
}

static int span_is(const char *s, size_t n, const char *word)
{
	return strlen(word) == n && memcmp(s, word, n) == 0;
}

/* Can this text appear in a reason? Short, and only characters of names and paths. */
static int quotable(const char *s, size_t n)
{
	if (n == 0 || n > QUOTE_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!is_name_char(c) && !in_set(c, "./+-"))
			return 0;
	}
	return 1;
}

/* ---- checks ---------------------------------------------------------------------- */

/* GCC accepts every attribute name as __name__ too. */
static void unwrap_underscores(const char **p, size_t *n)
{
	if (*n > 4 && memcmp(*p, "__", 2) == 0 && memcmp(*p + *n - 2, "__", 2) == 0) {
		*p += 2;
		*n -= 4;
	}
}

static int scan_source(struct scan *sc, const char *src, size_t len);

/* clause: a directive or clause name of an omp pragma, where `atomic read`, `atomic
 * write` and `loop bind(thread)` are OpenMP, not calls; the call list does not apply. */
static int check_ident(struct scan *sc, const struct ctok *t, int clause)
{
	const char *p = t->p;
	size_t n = t->n;

	unwrap_underscores(&p, &n);
	if (span_is(p, n, "constructor") || span_is(p, n, "destructor"))
		return fail(sc, "constructor/destructor attributes are not allowed");
	if (IN_LIST(p, n, bad_anywhere))
		return fail(sc, "attribute %.*s is not allowed", (int)n, p);
	p = t->p;
	n = t->n;
	if (ctok_is(t, CTOK_IDENT, "asm") || ctok_is(t, CTOK_IDENT, "__asm") ||
	    ctok_is(t, CTOK_IDENT, "__asm__"))
		return fail(sc, "asm is not allowed");
	if (clause)
		return 0;
	/* GCC has builtins for much of libc (__builtin_fork, __builtin_printf, ...). */
	if (n > 10 && memcmp(p, "__builtin_", 10) == 0) {
		p += 10;
		n -= 10;
	}
	if (IN_LIST(p, n, forbidden_calls))
		return fail(sc, "forbidden call: %.*s", (int)n, p);
	for (size_t i = 0; i < sizeof forbidden_prefixes / sizeof *forbidden_prefixes; i++) {
		size_t l = strlen(forbidden_prefixes[i]);
		if (n >= l && memcmp(p, forbidden_prefixes[i], l) == 0)
			return quotable(p, n) ? fail(sc, "forbidden call: %.*s", (int)n, p)
					      : fail(sc, "forbidden call: %s...", forbidden_prefixes[i]);
	}
	return 0;
}

/* Every identifier of an attribute list, from the opening bracket at i to its match. */
static int check_attribute_list(struct scan *sc, const struct ctok *toks, size_t i,
				const char *open, const char *close)
{
	size_t depth = 0;
	for (size_t k = 0; toks[i].kind != CTOK_EOF; i++, k++) {
		const struct ctok *t = &toks[i];
		if (k > ATTR_TOKENS_MAX)
			return fail(sc, "attribute list is too long");
		if (ctok_is(t, CTOK_PUNCT, open)) {
			depth++;
		} else if (ctok_is(t, CTOK_PUNCT, close)) {
			if (--depth == 0)
				return 0;
		} else if (t->kind == CTOK_IDENT) {
			const char *p = t->p;
			size_t n = t->n;
			unwrap_underscores(&p, &n);
			if (span_is(p, n, "constructor") || span_is(p, n, "destructor"))
				return fail(sc, "constructor/destructor attributes are not allowed");
			if (IN_LIST(p, n, bad_attributes))
				return fail(sc, "attribute %.*s is not allowed", (int)n, p);
		}
	}
	return 0;
}

/* The factor of `GCC unroll` at toks[i]: a plain decimal literal up to UNROLL_MAX, alone
 * on its line. A macro or an expression is refused rather than evaluated. */
static int check_unroll(struct scan *sc, const struct ctok *toks, size_t i)
{
	const struct ctok *f = &toks[i];
	unsigned long v = 0;

	if (f->kind != CTOK_NUMBER)
		return fail(sc, "GCC unroll needs a decimal literal of at most %d", UNROLL_MAX);
	for (size_t k = 0; k < f->n; k++) {
		if (!is_digit((unsigned char)f->p[k]))
			return fail(sc, "GCC unroll needs a decimal literal of at most %d", UNROLL_MAX);
		if (v <= UNROLL_MAX)
			v = v * 10 + (unsigned long)(f->p[k] - '0');
	}
	if (v > UNROLL_MAX)
		return fail(sc, "GCC unroll factor is over the limit of %d", UNROLL_MAX);
	if (toks[i + 1].kind != CTOK_NEWLINE && toks[i + 1].kind != CTOK_EOF)
		return fail(sc, "extra tokens after GCC unroll");
	return 0;
}

/* The pragma whose first token is toks[i]: only OpenMP and GCC's loop hints. */
static int check_pragma(struct scan *sc, const struct ctok *toks, size_t i)
{
	const char *kw = sc->depth ? "_Pragma" : "#pragma";
	const struct ctok *a = &toks[i], *b;

	if (a->kind == CTOK_NEWLINE || a->kind == CTOK_EOF)
		return 0; /* an empty #pragma does nothing */
	if (ctok_is(a, CTOK_IDENT, "omp"))
		return 0;
	if (ctok_is(a, CTOK_IDENT, "GCC")) {
		b = &toks[i + 1];
		if (ctok_is(b, CTOK_IDENT, "unroll"))
			return check_unroll(sc, toks, i + 2);
		if (ctok_is(b, CTOK_IDENT, "ivdep"))
			return 0;
		if (b->kind == CTOK_IDENT && quotable(b->p, b->n))
			return fail(sc, "%s GCC %.*s is not allowed", kw, (int)b->n, b->p);
		return fail(sc, "%s GCC is only allowed as GCC unroll or GCC ivdep", kw);
	}
	if (a->kind == CTOK_IDENT && quotable(a->p, a->n))
		return fail(sc, "%s %.*s is not allowed", kw, (int)a->n, a->p);
	return fail(sc, "%s is only allowed for omp, GCC unroll and GCC ivdep", kw);
}

/* #include <name.h> with name on the list, and nothing else on the line. */
static int check_include(struct scan *sc, const struct ctok *toks, size_t i)
{
	const struct ctok *h = &toks[i];
	const char *name = h->p + 1;
	size_t n = h->n >= 2 ? h->n - 2 : 0;

	if (h->kind == CTOK_STRING)
		return fail(sc, "quoted #include is not allowed, only <header.h> from the list");
	if (h->kind == CTOK_IDENT)
		return fail(sc, "#include of a macro is not allowed");
	if (h->kind != CTOK_HEADER || !h->closed)
		return fail(sc, "malformed #include");
	if (memchr(name, '/', n) || memmem(name, n, "..", 2) || memchr(name, '\\', n))
		return fail(sc, "header paths are not allowed");
	if (!IN_LIST(name, n, allowed_headers))
		return quotable(name, n) ? fail(sc, "header <%.*s> is not allowed", (int)n, name)
					 : fail(sc, "header is not allowed");
	if (toks[i + 1].kind != CTOK_NEWLINE && toks[i + 1].kind != CTOK_EOF)
		return fail(sc, "extra tokens after #include");
	return 0;
}

/*
 * _Pragma("...") at toks[i]: its string is a pragma like any other, so destringize it
 * (the one place a string literal matters) and check it as a "#pragma" line.
 */
static int check_pragma_operator(struct scan *sc, const struct ctok *toks, size_t i)
{
	const struct ctok *s;
	size_t skip, n, o = 0;
	char *line;
	int r, saw = sc->saw_dgemm;

	if (sc->depth > 0)
		return fail(sc, "nested _Pragma is not allowed");
	/* One token at a time: the array stops at CTOK_EOF. */
	if (!ctok_is(&toks[i + 1], CTOK_PUNCT, "("))
		return fail(sc, "_Pragma needs one plain string literal");
	s = &toks[i + 2];
	if (s->kind != CTOK_STRING || !s->closed)
		return fail(sc, "_Pragma needs one plain string literal");
	skip = s->p[0] == 'L' ? 1 : 0;
	if (s->p[skip] != '"' || !ctok_is(&toks[i + 3], CTOK_PUNCT, ")"))
		return fail(sc, "_Pragma needs one plain string literal");
	n = s->n - skip - 2;
	line = util_xmalloc(n + 10);
	memcpy(line, "#pragma ", 8);
	o = 8;
	for (size_t k = skip + 1; k < skip + 1 + n; k++) {
		if (s->p[k] == '\\' && k + 1 < skip + 1 + n && in_set(s->p[k + 1], "\"\\"))
			k++;
		line[o++] = s->p[k];
	}
	line[o++] = '\n';
	sc->depth++;
	r = scan_source(sc, line, o);
	sc->depth--;
	sc->saw_dgemm = saw;
	free(line);
	return r;
}

static int check_tokens(struct scan *sc, const struct ctok *toks)
{
	const struct ctok *prev = NULL;
	int in_directive = 0, omp_line = 0;
	long depth = 0; /* parentheses, on an omp pragma line */

	for (size_t i = 0; toks[i].kind != CTOK_EOF; i++) {
		const struct ctok *t = &toks[i];

		if (t->kind == CTOK_NEWLINE) {
			if (in_directive)
				prev = NULL; /* a '.' ending a #define is no member access */
			in_directive = omp_line = 0;
			continue;
		}
		if (t->bol && ctok_is(t, CTOK_PUNCT, "#")) {
			const struct ctok *d = &toks[i + 1];
			in_directive = 1;
			prev = NULL;
			if (ctok_is(d, CTOK_IDENT, "include")) {
				if (check_include(sc, toks, i + 2) < 0)
					return -1;
				i += 2;
			} else if (ctok_is(d, CTOK_IDENT, "include_next") || ctok_is(d, CTOK_IDENT, "import") ||
				   ctok_is(d, CTOK_IDENT, "embed")) {
				return fail(sc, "#%.*s is not allowed", (int)d->n, d->p);
			} else if (ctok_is(d, CTOK_IDENT, "pragma")) {
				if (check_pragma(sc, toks, i + 2) < 0)
					return -1;
				/* Expressions in OpenMP clauses sit inside parentheses. */
				omp_line = ctok_is(&toks[i + 2], CTOK_IDENT, "omp");
				depth = 0;
				i++;
			} else if (d->kind == CTOK_NUMBER || ctok_is(d, CTOK_IDENT, "line")) {
				return fail(sc, "#line and linemarkers are not allowed");
			} else if (d->kind == CTOK_IDENT && !IN_LIST(d->p, d->n, allowed_directives)) {
				return quotable(d->p, d->n) ? fail(sc, "#%.*s is not allowed", (int)d->n, d->p)
							    : fail(sc, "unknown directive");
			} else if (d->kind != CTOK_IDENT && d->kind != CTOK_NEWLINE && d->kind != CTOK_EOF) {
				return fail(sc, "malformed directive");
			}
			continue;
		}
		if (t->kind == CTOK_IDENT) {
			/* After '.' or '->' a name is a member: s.open is no call of open. */
			int member = prev && (ctok_is(prev, CTOK_PUNCT, ".") || ctok_is(prev, CTOK_PUNCT, "->"));
			if (!member) {
				if (check_ident(sc, t, omp_line && depth == 0) < 0)
					return -1;
				if (ctok_is(t, CTOK_IDENT, "dgemm"))
					sc->saw_dgemm = 1;
				if (ctok_is(t, CTOK_IDENT, "_Pragma") && check_pragma_operator(sc, toks, i) < 0)
					return -1;
				if (ctok_is(t, CTOK_IDENT, "__attribute__") || ctok_is(t, CTOK_IDENT, "__attribute")) {
					/* A bare one can only be a macro that hides its arguments. */
					if (!ctok_is(&toks[i + 1], CTOK_PUNCT, "("))
						return fail(sc, "__attribute__ must be followed by its arguments");
					if (check_attribute_list(sc, toks, i + 1, "(", ")") < 0)
						return -1;
				}
			}
		} else if (omp_line && ctok_is(t, CTOK_PUNCT, "(")) {
			depth++;
		} else if (omp_line && ctok_is(t, CTOK_PUNCT, ")")) {
			depth--;
		} else if (ctok_is(t, CTOK_PUNCT, "[") && ctok_is(&toks[i + 1], CTOK_PUNCT, "[")) {
			if (check_attribute_list(sc, toks, i, "[", "]") < 0)
				return -1; /* C23 [[gnu::constructor]] */
		}
		prev = t;
	}
	return 0;
}

static int scan_source(struct scan *sc, const char *src, size_t len)
{
	struct ctokens ct;
	int r;

	if (ctokens_lex(src, len, &ct, sc->why, sc->whylen) < 0)
		return -1;
	r = check_tokens(sc, ct.tok);
	ctokens_free(&ct);
	return r;
}

/* ??= is '#' and ??/ a backslash under -std=c11: they would hide directives and splices. */
static int has_trigraph(const char *s, size_t n)
{
	for (size_t i = 0; i + 2 < n; i++)
		if (s[i] == '?' && s[i + 1] == '?' && in_set(s[i + 2], "=/'()!<>-"))
			return 1;
	return 0;
}

/*
 * PERFRL_UNSAFE_SKIP_POLICY=1 turns the text checks off, so that a test can show that the
 * object audit and the sandbox hold on their own. It is the operator's switch, never the
 * kernel's, and it is announced on every use.
 */
static int policy_skipped(void)
{
	static int skip = -1;
	if (skip < 0) {
		const char *e = getenv("PERFRL_UNSAFE_SKIP_POLICY");
		skip = e && !strcmp(e, "1");
		if (skip)
			fprintf(stderr, "perfrl: warning: PERFRL_UNSAFE_SKIP_POLICY=1: the text "
					"policy is off (testing only)\n");
	}
	return skip;
}

int policy_check(const char *src, size_t len, char *why, size_t whylen)
{
	struct scan sc = { why, whylen, 0, 0 };

	if (policy_skipped()) {
		if (why && whylen)
			why[0] = '\0';
		return 0;
	}

	if (why && whylen)
		why[0] = '\0';
	if (!src)
		len = 0;
	if (len > POLICY_MAX_SOURCE)
		return fail(&sc, "source is %zu bytes, over the %d byte limit", len,
			    POLICY_MAX_SOURCE);
	if (len && memchr(src, '\0', len))
		return fail(&sc, "source contains a NUL byte");
	if (has_trigraph(src, len))
		return fail(&sc, "trigraphs are not allowed");
	if (scan_source(&sc, src ? src : "", len) < 0)
		return -1;
	if (!sc.saw_dgemm)
		return fail(&sc, "no dgemm function defined");
	return 0;
}

/* ---- the preprocessed text -------------------------------------------------------- */

/* A linemarker of `cc -E` output: # LINE "FILE" FLAGS... (1: a file is entered, 2: we
 * are back in the file that included it, 3: a system header). */
struct marker {
	char path[PATH_MAX];
	int enter, leave, system;
};

static int parse_marker(const char *line, size_t l, struct marker *m)
{
	size_t i = 2, o = 0;

	memset(m, 0, sizeof *m);
	while (i < l && is_digit((unsigned char)line[i]))
		i++;
	if (i + 1 >= l || line[i] != ' ' || line[i + 1] != '"')
		return -1;
	/* The preprocessor escapes '"' and '\\' in the name. */
	for (i += 2; i < l && line[i] != '"'; i++) {
		if (line[i] == '\\' && i + 1 < l)
			i++;
		if (o + 1 >= sizeof m->path)
			return -1;
		m->path[o++] = line[i];
	}
	if (i >= l)
		return -1;
	m->path[o] = '\0';
	for (i++; i < l; i++) {
		if (line[i] == '1')
			m->enter = 1;
		else if (line[i] == '2')
			m->leave = 1;
		else if (line[i] == '3')
			m->system = 1;
		else if (line[i] != ' ' && line[i] != '4')
			return -1;
	}
	return 0;
}

/* Is path a file under one of the compiler's system include directories, with no ".."
 * to climb out of it? */
static int under_system_dir(const char *path, const char *const *dirs)
{
	if (strstr(path, "/../") || strstr(path, "/./"))
		return 0;
	for (; *dirs; dirs++) {
		size_t n = strlen(*dirs);
		if (strncmp(path, *dirs, n) == 0 && path[n] == '/' && path[n + 1] != '\0')
			return 1;
	}
	return 0;
}

/* Files nest no deeper than this in the system headers (GCC's own limit is 200). */
#define INCLUDE_DEPTH_MAX 200

/*
 * The same token checks on the preprocessor's output, so that what token pasting or a
 * macro builds (`__as##m__`, `CAT(sys,tem)`) is seen as the compiler will see it. A line
 * is skipped only inside a system header: one entered (linemarker flag 1) straight from
 * the kernel's own text, under an allow-listed name, from one of the compiler's system
 * include directories (flag 3), or one entered from such a header the same way. Names
 * alone prove nothing: #line and linemarkers in the source could choose any of them
 * (the source check refuses both; this does not rely on it).
 */
int policy_check_expanded(const char *text, size_t len, const char *main_file, char *why,
			  size_t whylen)
{
	struct scan sc = { why, whylen, 0, 0 };
	const char *const *dirs;
	char *keep;
	/* trusted[d]: the file at include depth d is a system header; depth 0 is the kernel. */
	unsigned char trusted[INCLUDE_DEPTH_MAX + 1] = { 0 };
	size_t n = 0;
	int depth = 0, r;
	char err[200];

	(void)main_file; /* the main file is depth 0, whatever it is called */
	if (why && whylen)
		why[0] = '\0';
	if (policy_skipped())
		return 0;
	if (!(dirs = ccinfo_include_dirs(err, sizeof err)))
		return fail(&sc, "after preprocessing: cannot tell system headers apart: %s", err);
	keep = util_xmalloc(len + 1);
	for (size_t i = 0; i < len;) {
		const char *line = text + i, *nl = memchr(line, '\n', len - i);
		size_t l = nl ? (size_t)(nl - line) : len - i;
		struct marker m;

		if (l > 2 && line[0] == '#' && line[1] == ' ' && is_digit((unsigned char)line[2])) {
			if (parse_marker(line, l, &m) != 0) {
				free(keep);
				return fail(&sc, "after preprocessing: malformed linemarker");
			}
			if (m.enter) {
				const char *base = strrchr(m.path, '/');
				int ok = m.system && base && under_system_dir(m.path, dirs) &&
					 (depth > 0 ? trusted[depth]
						    : IN_LIST(base + 1, strlen(base + 1), allowed_headers));
				if (depth == INCLUDE_DEPTH_MAX) {
					free(keep);
					return fail(&sc, "after preprocessing: includes nest too deep");
				}
				trusted[++depth] = (unsigned char)ok;
			} else if (m.leave) {
				/* Back in the includer: the preamble's <command-line> returns to 0. */
				if (depth > 0)
					depth--;
			}
			/* No flag: a new line number, or a new name (#line), for the same file. */
		} else if (!trusted[depth]) {
			memcpy(keep + n, line, l);
			n += l;
			keep[n++] = '\n';
		}
		i += l + 1;
	}
	r = scan_source(&sc, keep, n);
	free(keep);
	if (r < 0 && why && whylen) {
		char tmp[256];
		snprintf(tmp, sizeof tmp, "%s", why);
		snprintf(why, whylen, "after preprocessing: %s", tmp);
	}
	return r;
}
