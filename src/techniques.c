/* techniques.c - detect the optimisation techniques a DGEMM kernel uses, from its tokens: a
 * preprocessing pass (dead #if branches dropped, macros expanded where they are used, _Pragma
 * read), then the loop nest and the data flow of A, B and C, and one rule per technique.
 * This file: the entry point, which runs the phases in order (tech_pp.c, tech_parse.c,
 * tech_flow.c, tech_rules.c; see tech_internal.h), and the token helpers they share. */
#include "config.h"
#include "tech_internal.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WORK_BUDGET 5000000L     /* token visits of the structural rules (kernels: < 20000) */

/* ---- small helpers ------------------------------------------------------------------- */

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		abort();
	return p;
}

void tkv_push(struct tkv *v, const struct tk *t)
{
	if (v->n == v->cap) {
		v->cap = v->cap ? 2 * v->cap : 256;
		v->v = xrealloc(v->v, v->cap * sizeof *v->v);
	}
	v->v[v->n++] = *t;
}

char *arena_alloc(struct det *d, size_t n)
{
	struct arena *a = util_xmalloc(sizeof *a + n + 1);
	a->next = d->arena;
	d->arena = a;
	return a->data;
}

int is_p(const struct tk *t, const char *s)
{
	return t->kind == CTOK_PUNCT && strcmp(t->punct, s) == 0;
}

int is_id(const struct tk *t, const char *s)
{
	size_t n = strlen(s);
	return t->kind == CTOK_IDENT && t->n == n && memcmp(t->p, s, n) == 0;
}

int has_prefix(const struct tk *t, const char *s)
{
	size_t n = strlen(s);
	return t->kind == CTOK_IDENT && t->n >= n && memcmp(t->p, s, n) == 0;
}

int contains(const struct tk *t, const char *s)
{
	size_t n = strlen(s);
	if (t->kind != CTOK_IDENT)
		return 0;
	for (size_t i = 0; i + n <= t->n; i++)
		if (memcmp(t->p + i, s, n) == 0)
			return 1;
	return 0;
}

int is_open(const struct tk *t)
{
	return is_p(t, "(") || is_p(t, "[") || is_p(t, "{");
}

int is_close(const struct tk *t)
{
	return is_p(t, ")") || is_p(t, "]") || is_p(t, "}");
}

/* An assignment operator: "=", "+=", ... (not "==") */
int is_assign(const struct tk *t)
{
	static const char *const ops[] = {"=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=",
					  "<<=", ">>="};
	if (t->kind != CTOK_PUNCT)
		return 0;
	for (size_t i = 0; i < sizeof ops / sizeof *ops; i++)
		if (!strcmp(t->punct, ops[i]))
			return 1;
	return 0;
}

/* Copy a token's spelling into buf. */
const char *spell(const struct tk *t, char *buf, size_t len)
{
	size_t n = t->kind == CTOK_PUNCT ? strlen(t->punct) : t->n;
	const char *p = t->kind == CTOK_PUNCT ? t->punct : t->p;
	if (n >= len)
		n = len - 1;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return buf;
}

void note(struct det *d, int tech, int line, const char *fmt, ...)
{
	va_list ap;
	d->found |= 1u << tech;
	if (!d->ev || (d->ev[tech].line && d->ev[tech].line <= line))
		return;
	d->ev[tech].line = line;
	va_start(ap, fmt);
	vsnprintf(d->ev[tech].what, sizeof d->ev[tech].what, fmt, ap);
	va_end(ap);
}

/* ---- interned names ------------------------------------------------------------------ */

static uint64_t hash_bytes(const char *p, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 1099511628211ull;
	return h;
}

int intern(struct det *d, const char *p, size_t n)
{
	size_t mask, i;
	if ((size_t)d->nnames * 2 + 2 >= d->nslot) {
		size_t ns = d->nslot ? 2 * d->nslot : 1024;
		int *slot = util_xmalloc(ns * sizeof *slot);
		for (i = 0; i < ns; i++)
			slot[i] = -1;
		for (int k = 0; k < d->nnames; k++) {
			size_t j = hash_bytes(d->name[k], d->namelen[k]) & (ns - 1);
			while (slot[j] >= 0)
				j = (j + 1) & (ns - 1);
			slot[j] = k;
		}
		free(d->slot);
		d->slot = slot;
		d->nslot = ns;
	}
	mask = d->nslot - 1;
	for (i = hash_bytes(p, n) & mask; d->slot[i] >= 0; i = (i + 1) & mask) {
		int k = d->slot[i];
		if (d->namelen[k] == n && memcmp(d->name[k], p, n) == 0)
			return k;
	}
	if (d->nnames == d->namecap) {
		d->namecap = d->namecap ? 2 * d->namecap : 512;
		d->name = xrealloc(d->name, (size_t)d->namecap * sizeof *d->name);
		d->namelen = xrealloc(d->namelen, (size_t)d->namecap * sizeof *d->namelen);
	}
	d->name[d->nnames] = p;
	d->namelen[d->nnames] = n;
	d->slot[i] = d->nnames;
	return d->nnames++;
}

int intern_str(struct det *d, const char *s)
{
	return intern(d, s, strlen(s));
}

/* ---- the entry point ------------------------------------------------------------------ */

static void det_free(struct det *d)
{
	for (int k = 0; k < d->nmac; k++) {
		free(d->mac[k].params);
		free(d->mac[k].body);
	}
	for (size_t k = 0; k < d->npr; k++)
		free(d->pr[k].w);
	for (size_t k = 0; k < d->nextra; k++)
		ctokens_free(&d->extra[k]);
	for (int f = 0; f < d->nfn; f++)
		free(d->fn[f].params);
	while (d->arena) {
		struct arena *a = d->arena;
		d->arena = a->next;
		free(a);
	}
	free(d->extra);
	free(d->mac);
	free(d->mac_head);
	free(d->pr);
	free(d->all.v);
	free(d->raw.v);
	free(d->out.v);
	free(d->name);
	free(d->namelen);
	free(d->slot);
	free(d->match);
	free(d->send);
	free(d->cknown);
	free(d->cval);
	free(d->tokfunc);
	free(d->fn);
	free(d->lp);
	free(d->st);
	free(d->calls);
	free(d->mkey);
	free(d->mval);
	ctokens_free(&d->src);
}

int techniques_detect(const struct catalogue *c, const char *src, size_t len, techset_t *found,
		      struct tech_evidence *evidence, char *why, size_t whylen)
{
	struct det d;
	struct expand_ctx x;
	struct tk eof;
	size_t first = 0, at;

	memset(&d, 0, sizeof d);
	*found = 0;
	if (evidence)
		memset(evidence, 0, TECH_MAX * sizeof *evidence);
	if (ctokens_lex(src, len, &d.src, why, whylen) < 0)
		return -1;
	d.cat = c;
	d.ev = evidence;
	d.budget = WORK_BUDGET;
	preprocess(&d);
	x.ndis = 0;
	expand(&d, d.raw.v, d.raw.n, 0, 0, &x);
	read_pragma_operators(&d);
	/* sentinels, so that looking a few tokens ahead is always safe */
	memset(&eof, 0, sizeof eof);
	eof.kind = CTOK_EOF;
	eof.id = -1;
	eof.p = "";
	eof.line = d.out.n ? d.out.v[d.out.n - 1].line : 1;
	d.n = d.out.n;
	for (int k = 0; k < 6; k++)
		tkv_push(&d.out, &eof);
	d.t = d.out.v;

	rule_pragmas(&d);
	match_brackets(&d);
	d.send = util_xmalloc((d.n + 8) * sizeof *d.send);
	for (size_t i = 0; i < d.n + 8; i++)
		d.send[i] = NONE;
	d.cknown = util_xcalloc((size_t)d.nnames + 1, 1);
	d.cval = util_xcalloc((size_t)d.nnames + 1, sizeof *d.cval);
	find_functions(&d);
	rule_identifiers(&d);
	rule_user(&d);
	find_loops(&d);
	find_statements(&d);
	find_calls(&d);
	seed(&d);
	propagate(&d);
	if (find_copies(&d, &first)) {
		packed_back(&d);
		propagate(&d);
		if ((at = packed_read(&d)) != NONE)
			note(&d, TECH_PACKING, d.t[first].line, "%s, which the compute loops read",
			     d.copy_what);
	}
	rule_cache_blocking(&d);
	rule_register_blocking(&d);
	rule_unrolling(&d);
	rule_loop_reorder(&d);
	*found = d.found;
	det_free(&d);
	return 0;
}
