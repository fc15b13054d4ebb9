/* tech_flow.c - the technique detector's data flow: which names point into A, B, C or a
 * packed buffer, per function, over the loop nest. */
#include "config.h"
#include "tech_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- data flow: which names point into A, B, C or a packed buffer ---------------------- */

static uint64_t mkey(int f, int id)
{
	return ((uint64_t)(uint32_t)(f + 1) << 32) | (uint32_t)id;
}

static unsigned *mslot(struct det *d, uint64_t key, int create)
{
	size_t mask, i;
	if (create && d->mn * 2 + 2 >= d->mcap) {
		size_t nc = d->mcap ? 2 * d->mcap : 256;
		uint64_t *k = util_xmalloc(nc * sizeof *k);
		unsigned *v = util_xmalloc(nc * sizeof *v);
		for (i = 0; i < nc; i++)
			k[i] = 0;
		for (size_t j = 0; j < d->mcap; j++)
			if (d->mkey[j]) {
				size_t h = (size_t)(d->mkey[j] * 0x9e3779b97f4a7c15ull >> 17) & (nc - 1);
				for (; k[h]; h = (h + 1) & (nc - 1))
					;
				k[h] = d->mkey[j];
				v[h] = d->mval[j];
			}
		free(d->mkey);
		free(d->mval);
		d->mkey = k;
		d->mval = v;
		d->mcap = nc;
	}
	if (!d->mcap)
		return NULL;
	mask = d->mcap - 1;
	for (i = (size_t)(key * 0x9e3779b97f4a7c15ull >> 17) & mask; d->mkey[i];
	     i = (i + 1) & mask)
		if (d->mkey[i] == key)
			return &d->mval[i];
	if (!create)
		return NULL;
	d->mkey[i] = key;
	d->mval[i] = 0;
	d->mn++;
	return &d->mval[i];
}

unsigned bits_of(struct det *d, int f, int id)
{
	unsigned *a = mslot(d, mkey(f, id), 0), *b = f >= 0 ? mslot(d, mkey(-1, id), 0) : NULL;
	return (a ? *a : 0) | (b ? *b : 0);
}

int add_bits(struct det *d, int f, int id, unsigned bits)
{
	unsigned *v;
	if (!bits || id < 0 || (bits_of(d, f, id) & bits) == bits)
		return 0;
	v = mslot(d, mkey(f, id), 1);
	*v |= bits;
	return 1;
}

/* Is the '*' at i a multiplication (not a dereference or a pointer declarator)? */
int binary_star(struct det *d, size_t i)
{
	const struct tk *p;
	if (i == 0 || !is_p(&d->t[i], "*"))
		return 0;
	p = &d->t[i - 1];
	if (is_p(p, ")") && d->match[i - 1] < i - 1 && d->match[i - 1] > 0 &&
	    is_control(&d->t[d->match[i - 1] - 1]))
		return 0; /* while (x) *p++ = ... */
	return p->kind == CTOK_NUMBER || is_p(p, ")") || is_p(p, "]") ||
	       (p->kind == CTOK_IDENT && !is_id(p, "double") && !is_id(p, "float") &&
		!is_id(p, "const") && !is_id(p, "restrict") && !is_id(p, "__restrict") &&
		!is_id(p, "__restrict__") && !is_id(p, "int") && !is_id(p, "long") &&
		!is_id(p, "void") && !is_id(p, "char") && !is_id(p, "return") &&
		!is_id(p, "size_t") && !has_prefix(p, "__m"));
}

/* The pointer-ish FROM_* bits an expression carries: names used as a whole (B + p * n,
 * &B[i]), not elements read through them (B[i], *B). */
unsigned expr_bits(struct det *d, int f, size_t lo, size_t hi)
{
	unsigned bits = 0;
	budget(d, (long)(hi - lo));
	for (size_t i = lo; i < hi; i++) {
		const struct tk *t = &d->t[i], *nx = &d->t[i + 1];
		unsigned b;
		if (t->kind == CTOK_IDENT && is_p(nx, "(") && !contains(t, "assume_aligned") &&
		    !is_keyword_call(t) && d->match[i + 1] < hi) {
			i = d->match[i + 1]; /* a call's value is not its arguments */
			continue;
		}
		if (t->kind != CTOK_IDENT || !(b = bits_of(d, f, t->id)))
			continue;
		if (i > lo && (is_p(&d->t[i - 1], ".") || is_p(&d->t[i - 1], "->")))
			continue;
		if (is_p(nx, "(") || is_p(nx, ".") || is_p(nx, "->"))
			continue;
		if (is_p(nx, "[")) {
			if (i > lo && is_p(&d->t[i - 1], "&"))
				bits |= b;
			continue;
		}
		if (i > lo && is_p(&d->t[i - 1], "*") && !binary_star(d, i - 1))
			continue;
		bits |= b;
	}
	return bits & ~(unsigned)(LOADED | PACK_DST);
}

/* A statement part [lo, hi): its assignment operator (or NONE). */
size_t assign_op(struct det *d, size_t lo, size_t hi)
{
	for (size_t i = lo; i < hi; i++) {
		if (is_open(&d->t[i]) && d->match[i] < hi) {
			i = d->match[i];
			continue;
		}
		if (is_assign(&d->t[i]))
			return i;
	}
	return NONE;
}

/* Is the comma-separated part at lo a later declarator of a declaration ("double *a = x,
 * *b = y;")? Then "*b =" declares b and stores nothing. */
static int in_declaration(struct det *d, size_t lo)
{
	size_t i = lo, start, steps = 0;
	int idents = 0;
	if (lo == 0 || !is_p(&d->t[lo - 1], ","))
		return 0;
	for (i = lo - 1; i > 0 && steps < 400; i--, steps++) {
		const struct tk *t = &d->t[i - 1];
		if (is_close(t) && d->match[i - 1] < i - 1) {
			i = d->match[i - 1] + 1;
			continue;
		}
		if (is_p(t, ";") || is_p(t, "{") || is_p(t, "}") || is_p(t, "(") || t->kind == TK_PRAGMA)
			break;
	}
	start = i;
	for (i = start; i < lo && (d->t[i].kind == CTOK_IDENT || is_p(&d->t[i], "*")); i++)
		idents += d->t[i].kind == CTOK_IDENT;
	return idents >= 2 && i < lo && (is_p(&d->t[i], "=") || is_p(&d->t[i], ",") ||
					 is_p(&d->t[i], "["));
}

/* The variable a part [lo, op) declares or assigns as a whole ("double *b", "x"), or -1 for
 * a store through memory (x[i] = , *p = ). */
int assigned_var(struct det *d, size_t lo, size_t op)
{
	if (op == NONE || op <= lo)
		return -1;
	if (d->t[op - 1].kind != CTOK_IDENT)
		return -1;
	if (op - 1 > lo && is_p(&d->t[op - 2], "*") && op - 2 == lo && !in_declaration(d, lo))
		return -1; /* *p = */
	if (op - 1 > lo && (is_p(&d->t[op - 2], ".") || is_p(&d->t[op - 2], "->")))
		return -1;
	return d->t[op - 1].id;
}

size_t part_end(struct det *d, size_t lo, size_t hi)
{
	for (size_t i = lo; i < hi; i++) {
		if (is_p(&d->t[i], ","))
			return i;
		if (is_open(&d->t[i]) && d->match[i] < hi)
			i = d->match[i];
	}
	return hi;
}

/* Base name of the memory a store part writes ("Bp[i] =", "*dst++ =", "*(p + 1) ="), or -1. */
int store_base(struct det *d, size_t lo, size_t op)
{
	size_t i = lo;
	while (i < op && (is_p(&d->t[i], "*") || is_p(&d->t[i], "(") || is_p(&d->t[i], "&"))) {
		size_t m = d->match[i];
		/* a cast, (T *), is skipped whole */
		if (is_p(&d->t[i], "(") && m < op && m > i + 1 && is_p(&d->t[m - 1], "*"))
			i = m;
		i++;
	}
	if (i >= op || d->t[i].kind != CTOK_IDENT)
		return -1;
	if (i == lo && !is_p(&d->t[i + 1], "["))
		return -1;
	if (i == lo + 1 && op == lo + 2 && in_declaration(d, lo))
		return -1; /* ", *p = x" declares p */
	return d->t[i].id;
}

int func_params(struct det *d, int id, int k, int *out, int max)
{
	int n = 0;
	for (int f = 0; f < d->nfn && n < max; f++)
		if (d->fn[f].id == id && k < d->fn[f].nparams)
			out[n++] = f;
	return n;
}

void propagate(struct det *d)
{
	for (int round = 0; round < 12; round++) {
		int changed = 0;
		if (!budget(d, 1))
			return;
		for (size_t s = 0; s < d->nst; s++) {
			int f = d->st[s].func;
			FOR_PARTS(d, d->st[s].lo, d->st[s].hi, lo, hi) {
				size_t op = assign_op(d, lo, hi);
				int v = assigned_var(d, lo, op);
				if (v >= 0 && is_p(&d->t[op], "="))
					changed |= add_bits(d, f, v, expr_bits(d, f, op + 1, hi));
			}
		}
		for (int k = 0; k < d->nlp; k++) {
			struct loop *l = &d->lp[k];
			FOR_PARTS(d, l->init[0], l->init[1], lo, hi) {
				size_t op = assign_op(d, lo, hi);
				int v = assigned_var(d, lo, op);
				if (v >= 0 && l->func >= 0)
					changed |= add_bits(d, l->func, v, expr_bits(d, l->func, op + 1, hi));
			}
		}
		for (size_t c = 0; c < d->ncalls; c++) {
			struct call *cl = &d->calls[c];
			int arg = 0, fs[8];
			FOR_PARTS(d, cl->lp + 1, cl->rp, lo, hi) {
				unsigned b = expr_bits(d, cl->caller, lo, hi);
				int nf = b ? func_params(d, cl->callee_id, arg, fs, 8) : 0;
				for (int j = 0; j < nf; j++)
					changed |= add_bits(d, fs[j], d->fn[fs[j]].params[arg], b);
				arg++;
			}
		}
		if (!changed)
			return;
	}
}

void seed(struct det *d)
{
	int dgemm = intern_str(d, "dgemm"), seeded = 0;
	for (int pass = 0; pass < 3 && !seeded; pass++)
		for (int f = 0; f < d->nfn; f++) {
			struct func *fn = &d->fn[f];
			int ok = pass == 0 ? fn->id == dgemm && fn->nparams >= 6
			       : pass == 1 ? fn->nparams >= 6 : fn->nparams >= 3;
			if (!ok)
				continue;
			if (pass == 2) { /* parameters called A, B and C */
				for (int k = 0; k < fn->nparams; k++) {
					const char *nm = d->name[fn->params[k]];
					if (d->namelen[fn->params[k]] != 1)
						continue;
					if (*nm == 'A')
						seeded |= add_bits(d, f, fn->params[k], FROM_A);
					if (*nm == 'B')
						seeded |= add_bits(d, f, fn->params[k], FROM_B);
					if (*nm == 'C')
						seeded |= add_bits(d, f, fn->params[k], FROM_C);
				}
				continue;
			}
			add_bits(d, f, fn->params[3], FROM_A);
			add_bits(d, f, fn->params[4], FROM_B);
			add_bits(d, f, fn->params[5], FROM_C);
			seeded = 1;
		}
}
