/* tech_rules.c - the technique detector's rules, one per technique, over the tokens, the loop
 * nest and the data flow: each rule calls note() with the first place it saw its technique. */
#include "config.h"
#include "tech_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TILE_IDS 64

/* ---- the rules ----------------------------------------------------------------------- */

static void pragma_text(const struct pragma *p, char *buf, size_t len)
{
	size_t used = 0;
	char w[64];
	used = (size_t)snprintf(buf, len, "#pragma");
	for (size_t i = 0; i < p->n && used + 1 < len; i++) {
		/* "num_threads(nth)", not "num_threads ( nth )" */
		int tight = i > 0 && (is_p(&p->w[i], "(") || is_p(&p->w[i], ")") ||
				      is_p(&p->w[i], ",") || is_p(&p->w[i], ":") ||
				      is_p(&p->w[i - 1], "(") || is_p(&p->w[i - 1], ":"));
		int n = snprintf(buf + used, len - used, "%s%s", tight ? "" : " ",
				 spell(&p->w[i], w, sizeof w));
		if (n < 0)
			break;
		used += (size_t)n;
	}
	if (used >= len)
		buf[len - 1] = '\0';
}

void rule_pragmas(struct det *d)
{
	char text[80];
	for (size_t k = 0; k < d->npr; k++) {
		const struct pragma *p = &d->pr[k];
		const struct tk *w = p->w;
		int depth = 0;
		if (p->n == 0)
			continue;
		pragma_text(p, text, sizeof text);
		if (is_id(&w[0], "omp")) {
			int threads = 0, simd = 0;
			for (size_t i = 1; i < p->n; i++) {
				if (is_p(&w[i], "("))
					depth++;
				else if (is_p(&w[i], ")"))
					depth--;
				else if (depth == 0 && (is_id(&w[i], "parallel") || is_id(&w[i], "task") ||
							is_id(&w[i], "taskloop") || is_id(&w[i], "teams")))
					threads = 1;
				else if (depth == 0 && is_id(&w[i], "simd"))
					simd = 1;
			}
			if (threads)
				note(d, TECH_OPENMP, p->line, "%s", text);
			if (simd)
				note(d, TECH_SIMD, p->line, "%s", text);
			if (p->n >= 2 && is_id(&w[1], "unroll"))
				note(d, TECH_UNROLLING, p->line, "%s", text);
		} else if (is_id(&w[0], "GCC") && p->n >= 2 && is_id(&w[1], "unroll")) {
			if (p->n < 3 || w[2].kind != CTOK_NUMBER || strtol(w[2].p, NULL, 0) >= 2)
				note(d, TECH_UNROLLING, p->line, "%s", text);
		} else if (is_id(&w[0], "unroll") &&
			   (p->n < 2 || w[1].kind != CTOK_NUMBER || strtol(w[1].p, NULL, 0) >= 2)) {
			note(d, TECH_UNROLLING, p->line, "%s", text);
		} else if (is_id(&w[0], "clang") && p->n >= 3 && is_id(&w[1], "loop") &&
			   (is_id(&w[2], "unroll") || is_id(&w[2], "unroll_count"))) {
			note(d, TECH_UNROLLING, p->line, "%s", text);
		}
	}
}

/* Intrinsics that do not compute on vectors. */
static int not_vector(const struct tk *t)
{
	static const char *const names[] = {"_mm_prefetch", "_mm_malloc", "_mm_free", "_mm_sfence",
					    "_mm_lfence", "_mm_mfence", "_mm_pause", "_mm_getcsr",
					    "_mm_setcsr", "_mm_clflush", "_mm_clflushopt"};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (is_id(t, names[i]))
			return 1;
	return 0;
}

static int defined_function(struct det *d, int id)
{
	for (int f = 0; f < d->nfn; f++)
		if (d->fn[f].id == id)
			return 1;
	return 0;
}

static int vector_type(const struct tk *t)
{
	static const char *const names[] = {"__m128", "__m128d", "__m128i", "__m256", "__m256d",
					    "__m256i", "__m512", "__m512d", "__m512i", "__m128h",
					    "__m256h", "__m512h"};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (is_id(t, names[i]))
			return 1;
	return 0;
}

/* Is the typedef name declared around token i (a vector_size attribute) used elsewhere? */
static int typedef_used(struct det *d, size_t i)
{
	size_t lo = i, hi = i, k;
	int name = -1;
	while (lo > 0 && !is_p(&d->t[lo - 1], ";") && !is_p(&d->t[lo - 1], "}") &&
	       !is_p(&d->t[lo - 1], "{"))
		lo--;
	if (!is_id(&d->t[lo], "typedef"))
		return 1;
	while (hi < d->n && !is_p(&d->t[hi], ";"))
		hi++;
	for (k = lo + 1; k < hi; k++) {
		if (is_open(&d->t[k]) && d->match[k] < hi) {
			k = d->match[k];
			continue;
		}
		if (d->t[k].kind == CTOK_IDENT && !is_id(&d->t[k], "__attribute__") &&
		    !is_id(&d->t[k], "__attribute"))
			name = d->t[k].id;
	}
	if (name < 0)
		return 1;
	for (k = 0; k < d->n; k++)
		if ((k < lo || k >= hi) && d->t[k].kind == CTOK_IDENT && d->t[k].id == name)
			return 1;
	return 0;
}

void rule_identifiers(struct det *d)
{
	char w[64];
	for (size_t i = 0; i < d->n; i++) {
		const struct tk *t = &d->t[i];
		int call;
		if (t->kind != CTOK_IDENT)
			continue;
		call = is_p(&d->t[i + 1], "(") && !(i > 0 && (is_p(&d->t[i - 1], ".") ||
							      is_p(&d->t[i - 1], "->")));
		if (call && (has_prefix(t, "_mm_") || has_prefix(t, "_mm256_") ||
			     has_prefix(t, "_mm512_") || has_prefix(t, "__builtin_ia32_")) &&
		    !not_vector(t) && !defined_function(d, t->id))
			note(d, TECH_SIMD, t->line, "%s call", spell(t, w, sizeof w));
		else if (vector_type(t))
			note(d, TECH_SIMD, t->line, "%s value", spell(t, w, sizeof w));
		else if ((is_id(t, "vector_size") || is_id(t, "__vector_size__")) && i > 0 &&
			 is_p(&d->t[i - 1], "(") && typedef_used(d, i))
			note(d, TECH_SIMD, t->line, "vector_size attribute (GCC vector extension)");
		if (call && (is_id(t, "__builtin_prefetch") || is_id(t, "_mm_prefetch")))
			note(d, TECH_PREFETCH, t->line, "%s call", spell(t, w, sizeof w));
	}
}

void rule_user(struct det *d)
{
	for (int k = TECH__BUILTIN; k < catalogue_count(d->cat); k++) {
		const char *const *ids = catalogue_identifiers(d->cat, k);
		const char *const *prs = catalogue_pragmas(d->cat, k);
		for (; ids && *ids; ids++) {
			size_t n = strlen(*ids);
			int prefix = n > 0 && (*ids)[n - 1] == '*';
			if (prefix)
				n--;
			/* before expansion (a macro's name) and after (what it expands to) */
			for (int pass = 0; pass < 2; pass++) {
				const struct tkv *v = pass ? &d->out : &d->raw;
				for (size_t i = 0; i < v->n; i++) {
					const struct tk *t = &v->v[i];
					if (t->kind == CTOK_IDENT && (prefix ? t->n >= n : t->n == n) &&
					    memcmp(t->p, *ids, n) == 0) {
						note(d, k, t->line, "identifier %.*s", (int)t->n, t->p);
						break;
					}
				}
			}
		}
		for (; prs && *prs; prs++)
			for (size_t p = 0; p < d->npr; p++) {
				const struct pragma *pr = &d->pr[p];
				const char *r = *prs;
				size_t w = 0;
				int ok = 1;
				while (*r && ok) {
					size_t n = strcspn(r, " ");
					char sp[64];
					if (n == 0) {
						r++;
						continue;
					}
					ok = w < pr->n && strlen(spell(&pr->w[w], sp, sizeof sp)) == n &&
					     memcmp(sp, r, n) == 0;
					w++;
					r += n;
				}
				if (ok) {
					char text[80];
					pragma_text(pr, text, sizeof text);
					note(d, k, pr->line, "%s", text);
				}
			}
	}
}

/* Is there a multiplication (a '*' outside subscripts, or an fma/mul call) in [lo, hi)? */
static int has_mul(struct det *d, size_t lo, size_t hi)
{
	int sub = 0;
	for (size_t i = lo; i < hi; i++) {
		const struct tk *t = &d->t[i];
		if (is_p(t, "["))
			sub++;
		else if (is_p(t, "]") && sub > 0)
			sub--;
		else if (!sub && binary_star(d, i))
			return 1;
		else if (t->kind == CTOK_IDENT && is_p(&d->t[i + 1], "(") &&
			 (contains(t, "fma") || contains(t, "mul") || is_id(t, "fma")))
			return 1;
	}
	return 0;
}

static int mentions(struct det *d, size_t lo, size_t hi, int id)
{
	for (size_t i = lo; i < hi; i++)
		if (d->t[i].kind == CTOK_IDENT && d->t[i].id == id)
			return 1;
	return 0;
}

static int mentions_any(struct det *d, size_t lo, size_t hi, const int *ids, int n)
{
	budget(d, (long)(hi - lo));
	for (size_t i = lo; i < hi; i++)
		if (d->t[i].kind == CTOK_IDENT)
			for (int k = 0; k < n; k++)
				if (d->t[i].id == ids[k])
					return 1;
	return 0;
}

/* Statements whose first token lies in [lo, hi): their index range [*a, *b). */
static void stmts_in(struct det *d, size_t lo, size_t hi, size_t *a, size_t *b)
{
	size_t l = 0, r = d->nst;
	while (l < r) {
		size_t m = (l + r) / 2;
		if (d->st[m].lo < lo)
			l = m + 1;
		else
			r = m;
	}
	*a = l;
	r = d->nst;
	while (l < r) {
		size_t m = (l + r) / 2;
		if (d->st[m].lo < hi)
			l = m + 1;
		else
			r = m;
	}
	*b = l;
}

/* --- cache blocking: a tile loop and a loop that runs within the tile --- */

static int add_id(int *ids, int n, int id)
{
	for (int k = 0; k < n; k++)
		if (ids[k] == id)
			return n;
	return n < MAX_TILE_IDS ? (ids[n] = id, n + 1) : n;
}

/* Names in [lo, hi) of function f computed from ids; a loop whose bounds use them. */
static int within_tile(struct det *d, int f, size_t lo, size_t hi, int *ids, int n, int depth)
{
	size_t a, b;
	stmts_in(d, lo, hi, &a, &b);
	for (int pass = 0; pass < 2; pass++)
		for (size_t s = a; s < b; s++)
			FOR_PARTS(d, d->st[s].lo, d->st[s].hi, plo, phi) {
				size_t op = assign_op(d, plo, phi);
				int v = assigned_var(d, plo, op);
				if (v >= 0 && mentions_any(d, op + 1, phi, ids, n))
					n = add_id(ids, n, v);
			}
	for (int k = 0; k < d->nlp; k++) {
		struct loop *l = &d->lp[k];
		if (l->tok < lo || l->tok >= hi || !budget(d, 1))
			continue;
		if (mentions_any(d, l->init[0], l->init[1], ids, n) ||
		    mentions_any(d, l->cond[0], l->cond[1], ids, n))
			return k;
	}
	if (depth >= 2)
		return -1;
	for (size_t c = 0; c < d->ncalls; c++) {
		struct call *cl = &d->calls[c];
		if (cl->tok < lo || cl->tok >= hi)
			continue;
		for (int g = 0; g < d->nfn; g++) {
			int arg = 0, pids[MAX_TILE_IDS], np = 0, r;
			if (d->fn[g].id != cl->callee_id || g == f)
				continue;
			FOR_PARTS(d, cl->lp + 1, cl->rp, plo, phi) {
				if (arg < d->fn[g].nparams && mentions_any(d, plo, phi, ids, n))
					np = add_id(pids, np, d->fn[g].params[arg]);
				arg++;
			}
			if (np && (r = within_tile(d, g, d->fn[g].lo, d->fn[g].hi, pids, np,
						   depth + 1)) >= 0)
				return r;
		}
	}
	return -1;
}

void rule_cache_blocking(struct det *d)
{
	for (int k = 0; k < d->nlp && budget(d, 1); k++) {
		struct loop *l = &d->lp[k];
		int ids[MAX_TILE_IDS], inner;
		char sx[64];
		if (l->var < 0 || !(l->step_val >= 16 || l->step_sym))
			continue;
		ids[0] = l->var;
		if ((inner = within_tile(d, l->func, l->lo, l->hi, ids, 1, 0)) < 0)
			continue;
		if (l->step_val)
			snprintf(sx, sizeof sx, "%ld", l->step_val);
		else
			spell(&d->t[l->step[1] - 1], sx, sizeof sx);
		note(d, TECH_CACHE_BLOCKING, d->t[l->tok].line, "loop %.*s steps by %s over a tile",
		     (int)d->namelen[l->var], d->name[l->var], sx);
	}
}

/* --- register blocking --- */

/* The number of elements of a local accumulator (1 for a scalar, the product of constant
 * dimensions for an array), or 0 when id is not one (a pointer, a parameter, ...). */
static long accumulator_size(struct det *d, int f, int id, size_t before)
{
	size_t i;
	if (f < 0 || (bits_of(d, f, id) & (FROM_A | FROM_B | FROM_C | PACKED)))
		return 0;
	for (i = d->fn[f].lo; i < before; i++)
		if (d->t[i].kind == CTOK_IDENT && d->t[i].id == id)
			break;
	if (i >= before || i == 0)
		return 0;
	for (int k = 0; k < d->fn[f].nparams; k++)
		if (d->fn[f].params[k] == id)
			return 0;
	if (!(is_p(&d->t[i + 1], "=") || is_p(&d->t[i + 1], ";") || is_p(&d->t[i + 1], ",") ||
	      is_p(&d->t[i + 1], "[")))
		return 0;
	/* a declaration: a type, qualifiers or a comma before, no '*' */
	for (size_t j = i; j-- > d->fn[f].lo;) {
		const struct tk *p = &d->t[j];
		if (is_p(p, "*"))
			return 0;
		if (p->kind != CTOK_IDENT)
			break;
	}
	if (!(d->t[i - 1].kind == CTOK_IDENT || is_p(&d->t[i - 1], ",")))
		return 0;
	if (is_p(&d->t[i + 1], "[")) {
		long size = 1;
		size_t j = i + 1;
		while (j < d->n && is_p(&d->t[j], "[")) {
			int ok;
			long v = eval_const(d, j + 1, d->match[j], &ok);
			if (!ok || v < 1 || v > 4096)
				return 0;
			size *= v;
			if (size > 4096)
				return 0;
			j = d->match[j] + 1;
		}
		return size;
	}
	return 1;
}

/* An update of an accumulator in [lo, hi): x += a * b, x = fma(a, b, x), x = x + a * b.
 * Returns the base name, or -1. */
static int update_target(struct det *d, size_t lo, size_t hi)
{
	size_t op = assign_op(d, lo, hi);
	const struct tk *t;
	if (op == NONE || op == lo || d->t[lo].kind != CTOK_IDENT)
		return -1;
	t = &d->t[lo];
	if (!(op == lo + 1 || is_p(&d->t[lo + 1], "[")))
		return -1;
	if (!has_mul(d, op + 1, hi))
		return -1;
	if (is_p(&d->t[op], "+=") || is_p(&d->t[op], "-="))
		return t->id;
	if (is_p(&d->t[op], "=") && mentions(d, op + 1, hi, t->id))
		return t->id;
	return -1;
}

static int is_param(struct det *d, int f, int id)
{
	for (int k = 0; f >= 0 && k < d->fn[f].nparams; k++)
		if (d->fn[f].params[k] == id)
			return 1;
	return 0;
}

/* The array a declaration [lo, op) declares ("double t[4][4] ="), or -1. */
static int declared_array(struct det *d, size_t lo, size_t op)
{
	if (op == NONE || op < lo + 3 || d->t[lo].kind != CTOK_IDENT)
		return -1;
	for (size_t i = lo + 1; i + 1 < op; i++)
		if (d->t[i].kind == CTOK_IDENT && is_p(&d->t[i + 1], "["))
			return d->t[i - 1].kind == CTOK_IDENT ? d->t[i].id : -1;
	return -1;
}

/*
 * Where the statement [lo, hi) of f writes: 2 for C or memory the caller gave (a pointer
 * parameter: a scratch tile the caller copies out), 1 for a local of the function (*local
 * says which), 0 for neither.
 */
static int store_dest(struct det *d, int f, size_t lo, size_t hi, int *local)
{
	size_t op = assign_op(d, lo, hi);
	int base = op != NONE ? store_base(d, lo, op) : -1;
	*local = -1;
	if (base >= 0) {
		unsigned b = bits_of(d, f, base);
		if (b & FROM_C)
			return 2;
		if (b & (FROM_A | FROM_B))
			return 0;
		if (is_param(d, f, base))
			return 2;
		*local = base;
		return 1;
	}
	if (op != NONE && ((*local = assigned_var(d, lo, op)) >= 0 ||
			   (*local = declared_array(d, lo, op)) >= 0))
		return is_param(d, f, *local) ? 0 : 1;
	for (size_t i = lo; i + 1 < hi; i++) {
		const struct tk *t = &d->t[i];
		if (t->kind == CTOK_IDENT && is_p(&d->t[i + 1], "(") &&
		    (contains(t, "store") || contains(t, "stream") || is_id(t, "memcpy"))) {
			size_t e = part_end(d, i + 2, d->match[i + 1]);
			unsigned b = expr_bits(d, f, i + 2, e);
			if (b & FROM_C)
				return 2;
			for (size_t j = i + 2; j < e; j++)
				if (d->t[j].kind == CTOK_IDENT && !is_p(&d->t[j + 1], "(")) {
					if (bits_of(d, f, d->t[j].id) & (FROM_A | FROM_B))
						return 0;
					if (is_param(d, f, d->t[j].id))
						return 2;
					*local = d->t[j].id;
					return 1;
				}
		}
	}
	return 0;
}

void rule_register_blocking(struct det *d)
{
	for (int k = 0; k < d->nlp && budget(d, 1); k++) {
		struct loop *l = &d->lp[k];
		size_t a, b, sa, sb, limit;
		int acc[32], nacc = 0, f = l->func;
		long size[32];
		long stored = 0;
		char names[64] = "";
		if (f < 0)
			continue;
		stmts_in(d, l->lo, l->hi, &a, &b);
		if (!budget(d, (long)(b - a) * 4))
			break;
		for (size_t s = a; s < b && nacc < 16; s++) {
			int v = update_target(d, d->st[s].lo, d->st[s].hi), dup = 0;
			long sz;
			if (v < 0)
				continue;
			for (int j = 0; j < nacc; j++)
				dup |= acc[j] == v;
			if (dup || (sz = accumulator_size(d, f, v, l->tok)) <= 0)
				continue;
			acc[nacc] = v;
			size[nacc++] = sz;
		}
		if (!nacc)
			continue;
		for (int j = 0; j < nacc && strlen(names) < 40; j++)
			snprintf(names + strlen(names), sizeof names - strlen(names), "%s%.*s",
				 j ? ", " : "", (int)d->namelen[acc[j]], d->name[acc[j]]);
		/* After the loop: stores of them to C (or to the caller's memory), directly or
		 * through locals they were copied to (a tile, a spill array). */
		limit = l->parent >= 0 ? d->lp[l->parent].hi : d->fn[f].hi;
		stmts_in(d, l->hi, limit, &sa, &sb);
		for (size_t s = sa; s < sb && stored < 2; s++) {
			struct stmt *st = &d->st[s];
			int local, dest, hit = -1;
			if (st->func != f || !(dest = store_dest(d, f, st->lo, st->hi, &local)))
				continue;
			for (int j = 0; j < nacc && hit < 0; j++)
				if (acc[j] != local && mentions(d, st->lo, st->hi, acc[j]))
					hit = j;
			if (hit < 0)
				continue;
			if (dest == 2) {
				int in_loop = st->loop >= 0 && d->lp[st->loop].tok >= l->hi;
				/* one store per element of C; a loop of them stores several */
				stored += size[hit] >= 2 && in_loop ? 2 : 1;
			} else if (nacc < 32 && local >= 0) {
				int dup = 0;
				long sz = accumulator_size(d, f, local, st->hi);
				for (int j = 0; j < nacc; j++)
					dup |= acc[j] == local;
				if (!dup) {
					acc[nacc] = local;
					size[nacc++] = sz > 0 ? sz : 1;
				}
			}
		}
		if (stored >= 2)
			note(d, TECH_REGISTER_BLOCKING, d->t[l->tok].line,
			     "accumulators %s live across loop %.*s, stored to C after it", names,
			     l->var >= 0 ? (int)d->namelen[l->var] : 1,
			     l->var >= 0 ? d->name[l->var] : "?");
	}
}

/* --- packing --- */

/* Does [lo, hi) read an element of A or B (A[i], *(B + x), a load of them)? */
static unsigned reads_ab(struct det *d, int f, size_t lo, size_t hi)
{
	unsigned bits = 0;
	for (size_t i = lo; i < hi; i++) {
		const struct tk *t = &d->t[i];
		unsigned b;
		if (t->kind != CTOK_IDENT)
			continue;
		b = bits_of(d, f, t->id) & (FROM_A | FROM_B | LOADED);
		if (!b)
			continue;
		if (b & LOADED)
			bits |= b;
		else if (is_p(&d->t[i + 1], "["))
			bits |= b;
		else if (i > lo && (is_p(&d->t[i - 1], "*") || is_p(&d->t[i - 1], "(")))
			bits |= b; /* *B, *(B + x), load(B + x) */
		else if (i > lo && is_p(&d->t[i - 1], ","))
			bits |= b;
	}
	return bits;
}

/* A local array of a few elements: a copy into it stages registers, it does not pack. */
static int small_local(struct det *d, int f, int id, size_t before)
{
	long n = accumulator_size(d, f, id, before);
	return n > 0 && n <= 32;
}

/* The values [lo, hi) reads from memory: X[..], *p, load calls, loaded names. A copy reads one. */
static int value_reads(struct det *d, int f, size_t lo, size_t hi)
{
	int n = 0;
	for (size_t i = lo; i < hi; i++) {
		const struct tk *t = &d->t[i];
		if (t->kind == CTOK_IDENT && is_p(&d->t[i + 1], "(")) {
			if (contains(t, "load") || contains(t, "broadcast") || contains(t, "set1")) {
				n++;
				if (d->match[i + 1] < hi)
					i = d->match[i + 1];
			}
			continue;
		}
		if (t->kind == CTOK_IDENT && is_p(&d->t[i + 1], "[")) {
			size_t j = i + 1;
			n++;
			while (j < hi && is_p(&d->t[j], "[") && d->match[j] < hi)
				j = d->match[j] + 1;
			i = j - 1;
			continue;
		}
		if (is_p(t, "*") && !binary_star(d, i) && i + 1 < hi &&
		    (d->t[i + 1].kind == CTOK_IDENT || is_p(&d->t[i + 1], "("))) {
			n++;
			if (is_p(&d->t[i + 1], "(") && d->match[i + 1] < hi)
				i = d->match[i + 1];
			else
				i++;
			continue;
		}
		if (t->kind == CTOK_IDENT && (bits_of(d, f, t->id) & LOADED))
			n++;
	}
	return n;
}

/* Is token i in the parameter list of a function definition? */
static int in_params(struct det *d, size_t i)
{
	for (int f = 0; f < d->nfn; f++)
		if (i > d->fn[f].lp && i < d->fn[f].rp)
			return 1;
	return 0;
}

static unsigned copy_source(unsigned bits)
{
	return (bits & (FROM_A | FROM_B)) ? bits & (FROM_A | FROM_B)
	       : (bits & LOADED)          ? FROM_A | FROM_B
					  : 0;
}

static void mark_packed(struct det *d, int f, int id, unsigned src, int depth)
{
	unsigned b = PACKED | (src & FROM_B ? PACKED_B : 0);
	if (!d->copy_what[0])
		snprintf(d->copy_what, sizeof d->copy_what, "copies %s into %.*s",
			 (src & FROM_A) && (src & FROM_B) ? "A or B" : src & FROM_A ? "A" : "B",
			 (int)d->namelen[id], d->name[id]);
	add_bits(d, f, id, PACK_DST);
	if ((bits_of(d, f, id) & b) == b)
		return;
	add_bits(d, f, id, b);
	/* a cursor into a buffer (double *d = bpack; *d++ = ...): the buffer is packed too */
	for (size_t s = 0; depth < 2 && s < d->nst; s++) {
		if (d->st[s].func != f)
			continue;
		FOR_PARTS(d, d->st[s].lo, d->st[s].hi, lo, hi) {
			size_t op = assign_op(d, lo, hi);
			if (assigned_var(d, lo, op) != id || !is_p(&d->t[op], "="))
				continue;
			for (size_t i = op + 1; i < hi; i++) {
				if (d->t[i].kind == CTOK_IDENT && !is_p(&d->t[i + 1], "(") &&
				    !is_p(&d->t[i + 1], "[") && d->t[i].id != id) {
					if (!(bits_of(d, f, d->t[i].id) & (FROM_A | FROM_B | FROM_C)))
						mark_packed(d, f, d->t[i].id, src, depth + 1);
					break;
				}
				if (d->t[i].kind == CTOK_IDENT && is_p(&d->t[i + 1], "("))
					break; /* malloc(...): nothing to follow */
			}
		}
	}
	for (size_t i = 0; i < d->n; i++)
		if (d->t[i].kind == CTOK_IDENT && d->t[i].id == id && d->tokfunc[i] < 0 &&
		    !in_params(d, i)) {
			add_bits(d, -1, id, b); /* a buffer at file scope */
			break;
		}
}

/* Copies of A or B into other memory: their targets become PACKED. */
int find_copies(struct det *d, size_t *first)
{
	int any = 0;
	/* values loaded from A or B */
	for (size_t s = 0; s < d->nst; s++) {
		int f = d->st[s].func;
		FOR_PARTS(d, d->st[s].lo, d->st[s].hi, lo, hi) {
			size_t op = assign_op(d, lo, hi);
			int v = assigned_var(d, lo, op);
			if (v >= 0 && is_p(&d->t[op], "=") && !(bits_of(d, f, v) & (FROM_A | FROM_B | FROM_C)) &&
			    (reads_ab(d, f, op + 1, hi) & (FROM_A | FROM_B)) && value_reads(d, f, op + 1, hi) == 1)
				add_bits(d, f, v, LOADED);
		}
	}
	for (size_t s = 0; s < d->nst; s++) {
		struct stmt *st = &d->st[s];
		int f = st->func;
		FOR_PARTS(d, st->lo, st->hi, lo, hi) {
			size_t op = assign_op(d, lo, hi);
			int base = op != NONE ? store_base(d, lo, op) : -1;
			unsigned src;
			if (base >= 0 && is_p(&d->t[op], "=") && st->loop >= 0 &&
			    !(bits_of(d, f, base) & (FROM_A | FROM_B | FROM_C)) &&
			    (src = copy_source(reads_ab(d, f, op + 1, hi))) && value_reads(d, f, op + 1, hi) == 1 &&
			    !small_local(d, f, base, st->lo)) {
				mark_packed(d, f, base, src, 0);
				if (!any || st->lo < *first)
					*first = st->lo;
				any = 1;
			}
		}
		/* memcpy(dst, B + x, n), _mm256_store_pd(dst, _mm256_loadu_pd(B + x)) */
		for (size_t i = st->lo; i + 1 < st->hi; i++) {
			const struct tk *t = &d->t[i];
			size_t a0, a1, e;
			int base;
			unsigned src;
			if (t->kind != CTOK_IDENT || !is_p(&d->t[i + 1], "(") ||
			    !(is_id(t, "memcpy") || is_id(t, "memmove") || contains(t, "store")))
				continue;
			e = d->match[i + 1];
			a0 = part_end(d, i + 2, e);
			a1 = a0 < e ? part_end(d, a0 + 1, e) : e;
			base = -1;
			for (size_t j = i + 2; j < a0; j++)
				if (d->t[j].kind == CTOK_IDENT && !is_p(&d->t[j + 1], "(")) {
					base = d->t[j].id;
					break;
				}
			if (base < 0 || (bits_of(d, f, base) & (FROM_A | FROM_B | FROM_C)) || a0 >= e ||
			    small_local(d, f, base, st->lo))
				continue;
			src = is_id(t, "memcpy") || is_id(t, "memmove")
				      ? expr_bits(d, f, a0 + 1, a1) & (FROM_A | FROM_B)
				      : copy_source(reads_ab(d, f, a0 + 1, a1));
			if (src && (is_id(t, "memcpy") || is_id(t, "memmove") ||
				    value_reads(d, f, a0 + 1, a1) == 1)) {
				mark_packed(d, f, base, src, 0);
				if (!any || st->lo < *first)
					*first = st->lo;
				any = 1;
			}
		}
	}
	return any;
}

/* A callee's parameter that was packed into: the caller's argument is the buffer too. */
void packed_back(struct det *d)
{
	for (int round = 0; round < 4; round++) {
		int changed = 0;
		for (size_t c = 0; c < d->ncalls; c++) {
			struct call *cl = &d->calls[c];
			int arg = 0;
			FOR_PARTS(d, cl->lp + 1, cl->rp, lo, hi) {
				for (int g = 0; g < d->nfn; g++) {
					unsigned b;
					if (d->fn[g].id != cl->callee_id || arg >= d->fn[g].nparams)
						continue;
					b = bits_of(d, g, d->fn[g].params[arg]) & (PACKED | PACKED_B);
					for (size_t i = lo; b && i < hi; i++)
						if (d->t[i].kind == CTOK_IDENT && !is_p(&d->t[i + 1], "(") &&
						    !is_p(&d->t[i + 1], "[")) {
							changed |= add_bits(d, cl->caller, d->t[i].id, b);
							break;
						}
				}
				arg++;
			}
		}
		if (!changed || !budget(d, (long)d->ncalls))
			return;
	}
}

/* Does [lo, hi), of a statement of function f with assignment operator op, read a packed
 * buffer? Not as the operand of sizeof, not as the target of a plain store, and not as the
 * argument of a helper of the file that packs into that parameter: its own statements, and
 * those of the functions later handed the buffer, say whether it is read. */
static int reads_packed(struct det *d, int f, size_t lo, size_t hi, size_t op, int depth)
{
	for (size_t i = lo; i < hi; i++) {
		const struct tk *t = &d->t[i];
		if (is_id(t, "sizeof") || is_id(t, "_Alignof")) {
			size_t j = i + 1;
			if (is_p(&d->t[j], "(") && d->match[j] > j && d->match[j] < hi) {
				i = d->match[j];
				continue;
			}
			while (j < hi && is_p(&d->t[j], "*"))
				j++;
			i = j;
			continue;
		}
		if (t->kind != CTOK_IDENT)
			continue;
		if (is_p(&d->t[i + 1], "(") && d->match[i + 1] > i + 1 && d->match[i + 1] < hi &&
		    depth < 8 && defined_function(d, t->id)) {
			size_t e = d->match[i + 1];
			int arg = 0;
			FOR_PARTS(d, i + 2, e, plo, phi) {
				int fs[8], nf = func_params(d, t->id, arg++, fs, 8), dst = 0;
				for (int j = 0; j < nf; j++)
					dst |= (bits_of(d, fs[j], d->fn[fs[j]].params[arg - 1]) & PACK_DST) != 0;
				if (!dst && reads_packed(d, f, plo, phi, op, depth + 1))
					return 1;
			}
			i = e;
			continue;
		}
		if (!(bits_of(d, f, t->id) & PACKED))
			continue;
		if (op == NONE || i > op || !is_p(&d->t[op], "="))
			return 1;
	}
	return 0;
}

/* Do the compute statements read a packed buffer? */
size_t packed_read(struct det *d)
{
	for (size_t s = 0; s < d->nst && budget(d, 1); s++) {
		struct stmt *st = &d->st[s];
		if (!has_mul(d, st->lo, st->hi))
			continue;
		if (reads_packed(d, st->func, st->lo, st->hi, assign_op(d, st->lo, st->hi), 0))
			return st->lo;
	}
	return NONE;
}

/* --- unrolling --- */

/* Do two statements have the same shape (the same operators and calls, any names and
 * numbers)? */
static int same_shape(struct det *d, const struct stmt *a, const struct stmt *b)
{
	if (a->hi - a->lo != b->hi - b->lo)
		return 0;
	for (size_t i = 0; i < a->hi - a->lo; i++) {
		const struct tk *x = &d->t[a->lo + i], *y = &d->t[b->lo + i];
		size_t nx, ny;
		if (x->kind != y->kind)
			return 0;
		if (x->kind == CTOK_PUNCT && strcmp(x->punct, y->punct))
			return 0;
		if (x->kind != CTOK_IDENT || !is_p(&d->t[a->lo + i + 1], "("))
			continue; /* c00 and c01, c0l and c0h: any names; the calls must agree */
		nx = x->n;
		ny = y->n;
		if (nx != ny || memcmp(x->p, y->p, nx))
			return 0;
	}
	return 1;
}

static int same_tokens(struct det *d, size_t a, size_t b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct tk *x = &d->t[a + i], *y = &d->t[b + i];
		if (x->kind != y->kind || (x->kind == CTOK_PUNCT ? strcmp(x->punct, y->punct) != 0
								  : x->n != y->n || memcmp(x->p, y->p, x->n)))
			return 0;
	}
	return 1;
}

void rule_unrolling(struct det *d)
{
	/* a loop stepping by s whose body works on v + 1 .. v + s - 1 */
	for (int k = 0; k < d->nlp && budget(d, 1); k++) {
		struct loop *l = &d->lp[k];
		if (l->var < 0 || l->step_val < 2 || l->step_val > 64)
			continue;
		budget(d, (long)(l->hi - l->lo));
		for (size_t i = l->lo; i + 2 < l->hi; i++) {
			const struct tk *t = &d->t[i];
			long off = 0;
			if (t->kind == CTOK_IDENT && t->id == l->var && is_p(&d->t[i + 1], "+") &&
			    d->t[i + 2].kind == CTOK_NUMBER && !(i > 0 && is_p(&d->t[i - 1], "*")) &&
			    !(i + 3 < d->n && (is_p(&d->t[i + 3], "*") || is_p(&d->t[i + 3], "/"))))
				off = strtol(d->t[i + 2].p, NULL, 0);
			else if (t->kind == CTOK_NUMBER && is_p(&d->t[i + 1], "+") &&
				 d->t[i + 2].kind == CTOK_IDENT && d->t[i + 2].id == l->var &&
				 !(i > 0 && (is_p(&d->t[i - 1], "*") || is_p(&d->t[i - 1], "-"))))
				off = strtol(t->p, NULL, 0);
			if (off >= 1 && off < l->step_val) {
				note(d, TECH_UNROLLING, d->t[l->tok].line,
				     "loop %.*s steps by %ld over %.*s, %.*s+%ld, ...",
				     (int)d->namelen[l->var], d->name[l->var], l->step_val,
				     (int)d->namelen[l->var], d->name[l->var], (int)d->namelen[l->var],
				     d->name[l->var], off);
				break;
			}
		}
	}
	/* a micro-tile of separate statements: c00 += ...; c01 += ...; */
	for (size_t s = 0; s + 1 < d->nst && budget(d, 1); s++) {
		struct stmt *a = &d->st[s], *b = &d->st[s + 1];
		size_t opa, opb;
		if (b->lo != a->hi + 1 || a->func != b->func)
			continue;
		if (update_target(d, a->lo, a->hi) < 0 || update_target(d, b->lo, b->hi) < 0 ||
		    !same_shape(d, a, b))
			continue;
		opa = assign_op(d, a->lo, a->hi);
		opb = assign_op(d, b->lo, b->hi);
		if (opa - a->lo == opb - b->lo && same_tokens(d, a->lo, b->lo, opa - a->lo))
			continue; /* the same element twice */
		note(d, TECH_UNROLLING, d->t[a->lo].line, "a micro-tile of separate statements");
		break;
	}
}

/* --- loop order --- */

/* Is X + ... at i an element access: inside a load or store (an intrinsic, a call named
 * so), a dereference *(X + ...), or &X? Not a pointer handed to a function of the file. */
static int pointer_access(struct det *d, size_t i)
{
	size_t j = i;
	int depth = 0;
	while (j > 0) {
		const struct tk *t = &d->t[--j];
		if (is_p(t, ")") || is_p(t, "]"))
			depth++;
		else if ((is_p(t, "(") || is_p(t, "[")) && depth > 0)
			depth--;
		else if (is_p(t, "(")) {
			const struct tk *f = j > 0 ? &d->t[j - 1] : NULL;
			if (f && f->kind == CTOK_IDENT && !is_keyword_call(f))
				return !defined_function(d, f->id);
			if (f && is_p(f, "*"))
				return 1;
			if (f && is_p(f, ")"))
				return 1; /* (T *)(X + ...) */
			continue;
		} else if (depth == 0 && (is_p(t, ";") || is_p(t, "{") || is_p(t, "}") ||
					  is_assign(t)))
			return 0;
		if (i - j > 200)
			return 0;
	}
	return 0;
}

/* Is the index [lo, hi) var plus terms that do not mention it (j, j - jj, (j + 4 - jj))? */
static int unit_index(struct det *d, size_t lo, size_t hi, int var, int depth)
{
	int found = 0;
	size_t i = lo;
	if (depth > 8 || hi <= lo || hi > d->n)
		return 0;
	while (i < hi) {
		size_t s = i, te;
		int neg = 0;
		if (is_p(&d->t[i], "+") || is_p(&d->t[i], "-")) {
			neg = is_p(&d->t[i], "-");
			s = ++i;
		}
		if (s >= hi)
			return 0;
		for (te = s; te < hi;) {
			const struct tk *t = &d->t[te], *pv = te > s ? &d->t[te - 1] : NULL;
			if (is_open(t)) {
				if (d->match[te] <= te || d->match[te] >= hi)
					return 0;
				te = d->match[te] + 1;
				continue;
			}
			if (pv && (is_p(t, "+") || is_p(t, "-")) &&
			    (pv->kind == CTOK_IDENT || pv->kind == CTOK_NUMBER || is_close(pv)))
				break;
			te++;
		}
		if (te == s + 1 && d->t[s].kind == CTOK_IDENT && d->t[s].id == var) {
			if (neg || found)
				return 0;
			found = 1;
		} else if (is_p(&d->t[s], "(") && d->match[s] == te - 1 && mentions(d, s, te, var)) {
			if (neg || found || !unit_index(d, s + 1, te - 1, var, depth + 1))
				return 0;
			found = 1;
		} else if (mentions(d, s, te, var)) {
			return 0;
		}
		i = te;
	}
	return found;
}

/* Does the access of the name at i (X[...] or X + ...) end in var (or var + N)? */
static int unit_stride(struct det *d, size_t i, size_t hi, int var)
{
	size_t lo, e;
	if (is_p(&d->t[i + 1], "[")) {
		size_t j = i + 1;
		while (is_p(&d->t[d->match[j] + 1], "[") && d->match[j] + 1 < hi)
			j = d->match[j] + 1;
		lo = j + 1;
		e = d->match[j];
	} else if (is_p(&d->t[i + 1], "+") && pointer_access(d, i)) {
		size_t e2;
		lo = i + 2;
		e = part_end(d, lo, hi);
		for (e2 = lo; e2 < e; e2++) { /* X + (j - jj): the end at the enclosing ')' */
			if (is_open(&d->t[e2]) && d->match[e2] > e2 && d->match[e2] < e)
				e2 = d->match[e2];
			else if (is_close(&d->t[e2]) || is_p(&d->t[e2], ";"))
				break;
		}
		if (unit_index(d, lo, e2, var, 0))
			return 1;
		for (size_t j = lo; j < e; j++)
			if (is_p(&d->t[j], ")") || is_p(&d->t[j], ";")) {
				e = j;
				break;
			}
	} else {
		return 0;
	}
	if (e <= lo || e > d->n)
		return 0;
	if (unit_index(d, lo, e, var, 0))
		return 1;
	if (e - lo >= 3 && d->t[e - 1].kind == CTOK_NUMBER && is_p(&d->t[e - 2], "+"))
		e -= 2;
	if (e - lo >= 3 && is_p(&d->t[e - 1], ")") && is_p(&d->t[e - 3], "(") &&
	    d->t[e - 2].kind == CTOK_IDENT) { /* (j), from a macro's argument */
		size_t v = e - 2;
		return d->t[v].id == var && (v - 1 == lo || is_p(&d->t[v - 2], "+"));
	}
	return d->t[e - 1].kind == CTOK_IDENT && d->t[e - 1].id == var &&
	       (e - 1 == lo || is_p(&d->t[e - 2], "+"));
}

/* Does [lo, hi) call a function of the file (a multiply-add may hide there)? */
static int calls_own(struct det *d, size_t lo, size_t hi)
{
	for (size_t i = lo; i + 1 < hi; i++)
		if (d->t[i].kind == CTOK_IDENT && is_p(&d->t[i + 1], "(") &&
		    defined_function(d, d->t[i].id))
			return 1;
	return 0;
}

void rule_loop_reorder(struct det *d)
{
	for (int k = 0; k < d->nlp && budget(d, 1); k++) {
		struct loop *l = &d->lp[k];
		int c = 0, b = 0, f = l->func;
		if (l->nchild || l->var < 0 || f < 0 ||
		    !(has_mul(d, l->lo, l->hi) || calls_own(d, l->lo, l->hi)))
			continue;
		for (size_t i = l->lo; i < l->hi; i++) {
			unsigned bits;
			int unit;
			if (d->t[i].kind != CTOK_IDENT || !(bits = bits_of(d, f, d->t[i].id)))
				continue;
			/* X[.. + j], X + .. + j in a load or store, or *X++ when X is what steps */
			unit = unit_stride(d, i, l->hi, l->var) ||
			       (i > 0 && is_p(&d->t[i - 1], "*") && !binary_star(d, i - 1) &&
				is_p(&d->t[i + 1], "++"));
			if ((bits & FROM_C) && unit)
				c = 1;
			if ((bits & (FROM_B | PACKED_B)) && unit)
				b = 1;
		}
		if (c && b) {
			note(d, TECH_LOOP_REORDER, d->t[l->tok].line,
			     "innermost loop %.*s walks B and C with unit stride",
			     (int)d->namelen[l->var], d->name[l->var]);
		}
	}
}
