/* techniques.c - detect the optimisation techniques a DGEMM kernel uses, from its tokens
 * (first version: pragmas, intrinsics and calls; the loop analysis follows). */
#include "config.h"
#include "techniques.h"
#include "ctokens.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void note(struct tech_evidence *ev, techset_t *found, int t, int line, const char *what)
{
	*found |= 1u << t;
	if (ev && (ev[t].line == 0 || line < ev[t].line)) {
		ev[t].line = line;
		snprintf(ev[t].what, sizeof ev[t].what, "%s", what);
	}
}

static int starts(const struct ctok *t, const char *prefix)
{
	size_t n = strlen(prefix);
	return t->kind == CTOK_IDENT && t->n >= n && memcmp(t->p, prefix, n) == 0;
}

static void pragma_words(const struct ctok *w, size_t n, int line, techset_t *found,
			 struct tech_evidence *ev)
{
	if (n >= 2 && ctok_is(&w[0], CTOK_IDENT, "omp")) {
		for (size_t i = 1; i < n && w[i].kind == CTOK_IDENT; i++) {
			if (ctok_is(&w[i], CTOK_IDENT, "parallel") || ctok_is(&w[i], CTOK_IDENT, "task") ||
			    ctok_is(&w[i], CTOK_IDENT, "taskloop") || ctok_is(&w[i], CTOK_IDENT, "teams"))
				note(ev, found, TECH_OPENMP, line, "#pragma omp parallel");
			if (ctok_is(&w[i], CTOK_IDENT, "simd"))
				note(ev, found, TECH_SIMD, line, "#pragma omp simd");
		}
	}
	if (n >= 2 && ctok_is(&w[0], CTOK_IDENT, "GCC") && ctok_is(&w[1], CTOK_IDENT, "unroll"))
		note(ev, found, TECH_UNROLLING, line, "#pragma GCC unroll");
	if (n >= 1 && ctok_is(&w[0], CTOK_IDENT, "unroll"))
		note(ev, found, TECH_UNROLLING, line, "#pragma unroll");
}

int techniques_detect(const struct catalogue *c, const char *src, size_t len, techset_t *found,
		      struct tech_evidence *evidence, char *why, size_t whylen)
{
	struct ctokens ct;
	int dead = 0;
	(void)c;
	*found = 0;
	if (evidence)
		memset(evidence, 0, TECH_MAX * sizeof *evidence);
	if (ctokens_lex(src, len, &ct, why, whylen) < 0)
		return -1;
	for (size_t i = 0; i < ct.count; i++) {
		const struct ctok *t = &ct.tok[i];
		if (t->bol && ctok_is(t, CTOK_PUNCT, "#")) {
			size_t e = i + 1;
			while (e < ct.count && ct.tok[e].kind != CTOK_NEWLINE)
				e++;
			if (i + 1 < e && ctok_is(&ct.tok[i + 1], CTOK_IDENT, "if") && i + 2 < e &&
			    ctok_is(&ct.tok[i + 2], CTOK_NUMBER, "0") && !dead)
				dead = 1;
			else if (dead && i + 1 < e && starts(&ct.tok[i + 1], "if"))
				dead++;
			else if (dead && i + 1 < e && ctok_is(&ct.tok[i + 1], CTOK_IDENT, "endif"))
				dead--;
			else if (dead == 1 && i + 1 < e && (ctok_is(&ct.tok[i + 1], CTOK_IDENT, "else") ||
							    ctok_is(&ct.tok[i + 1], CTOK_IDENT, "elif")))
				dead = 0;
			else if (!dead && i + 1 < e && ctok_is(&ct.tok[i + 1], CTOK_IDENT, "pragma"))
				pragma_words(&ct.tok[i + 2], e - i - 2, t->line, found, evidence);
			i = e;
			continue;
		}
		if (dead || t->kind != CTOK_IDENT)
			continue;
		if ((starts(t, "_mm_") || starts(t, "_mm256_") || starts(t, "_mm512_")) &&
		    ctok_is(&ct.tok[i + 1], CTOK_PUNCT, "(") && !ctok_is(t, CTOK_IDENT, "_mm_prefetch"))
			note(evidence, found, TECH_SIMD, t->line, "intrinsic call");
		if (starts(t, "__m128") || starts(t, "__m256") || starts(t, "__m512"))
			note(evidence, found, TECH_SIMD, t->line, "vector type");
		if ((ctok_is(t, CTOK_IDENT, "__builtin_prefetch") || ctok_is(t, CTOK_IDENT, "_mm_prefetch")) &&
		    ctok_is(&ct.tok[i + 1], CTOK_PUNCT, "("))
			note(evidence, found, TECH_PREFETCH, t->line, "prefetch call");
	}
	ctokens_free(&ct);
	return 0;
}
