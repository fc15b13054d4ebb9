/* techniques.c - detect the optimisation techniques a DGEMM kernel uses, from its tokens: a
 * preprocessing pass (dead #if branches dropped, macros expanded where they are used, _Pragma
 * read), then the loop nest and the data flow of A, B and C, and one rule per technique. */
#include "config.h"
#include "techniques.h"
#include "ctokens.h"
#include "util.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TK_PRAGMA 100            /* a #pragma or _Pragma: tk.id is its index */
#define MAX_TOKENS (1u << 20)    /* after macro expansion; past it, best effort */
#define MAX_EXPAND_DEPTH 32
#define MAX_COND_DEPTH 512
#define MAX_STMT_DEPTH 200
#define MAX_TILE_IDS 64
#define WORK_BUDGET 5000000L     /* token visits of the structural rules (kernels: < 20000) */
#define NONE ((size_t)-1)

/* Where a name's value comes from (per function and name). */
enum { FROM_A = 1, FROM_B = 2, FROM_C = 4, PACKED = 8, PACKED_B = 16, LOADED = 32,
       PACK_DST = 64 /* a copy of A or B was stored through it in this function */ };

struct tk {
	int kind;        /* enum ctok_kind, or TK_PRAGMA */
	int line;
	unsigned bol : 1, closed : 1;
	const char *p;
	size_t n;
	char punct[4];   /* CTOK_PUNCT, multi-character operators joined ("+=", "++") */
	int id;          /* CTOK_IDENT: the interned name; TK_PRAGMA: the pragma */
};

struct tkv {
	struct tk *v;
	size_t n, cap;
};

struct pragma {
	struct tk *w;    /* its words, after "pragma" */
	size_t n;
	int line;
};

struct macro {
	int id, fn, variadic, nparams, next; /* next: the previous macro of the same name */
	int *params;     /* ids */
	struct tk *body;
	size_t nbody;
	size_t from, to; /* defined for raw positions [from, to) */
};

struct func {
	int id;
	size_t lp, rp, lo, hi; /* parameters (lp, rp), body '{' lo .. '}' hi */
	int *params;
	int nparams;
};

struct loop {
	size_t tok, lp, rp, init[2], cond[2], step[2], lo, hi; /* body [lo, hi) */
	int var, parent, nchild, func;
	long step_val;   /* constant step, 0 when unknown */
	int step_sym;    /* the step is a name or expression that is not constant */
};

struct stmt {
	size_t lo, hi;   /* [lo, hi), hi at the ';' */
	int func, loop;
};

struct call {
	size_t tok, lp, rp;
	int caller, callee_id;
};

struct arena {
	struct arena *next;
	char data[];
};

struct det {
	const struct catalogue *cat;
	struct ctokens src;
	struct ctokens *extra;   /* _Pragma strings, lexed */
	size_t nextra;
	struct arena *arena;
	/* interned names */
	const char **name;
	size_t *namelen;
	int nnames, namecap;
	int *slot;
	size_t nslot;
	/* preprocessing */
	struct tkv all, raw, out;
	struct pragma *pr;
	size_t npr, prcap;
	struct macro *mac;
	int nmac, maccap;
	int *mac_head;   /* per name id, the last macro of that name, or -1 */
	int mac_heads;
	int truncated;
	/* structure */
	struct tk *t;
	size_t n;
	size_t *match;
	size_t *send;    /* remembered ends of statements */
	int *tokfunc;
	signed char *cknown; /* const_value, remembered per name: 0 unknown, 1 const, -1 not */
	long *cval;
	struct func *fn;
	int nfn;
	struct loop *lp;
	int nlp;
	struct stmt *st;
	size_t nst;
	struct call *calls;
	size_t ncalls;
	/* (function, name) -> FROM_* bits */
	uint64_t *mkey;
	unsigned *mval;
	size_t mcap, mn;
	long budget;
	char copy_what[64]; /* the first packing copy */
	techset_t found;
	struct tech_evidence *ev;
};

/* ---- small helpers ------------------------------------------------------------------- */

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		abort();
	return p;
}

static void tkv_push(struct tkv *v, const struct tk *t)
{
	if (v->n == v->cap) {
		v->cap = v->cap ? 2 * v->cap : 256;
		v->v = xrealloc(v->v, v->cap * sizeof *v->v);
	}
	v->v[v->n++] = *t;
}

static char *arena_alloc(struct det *d, size_t n)
{
	struct arena *a = util_xmalloc(sizeof *a + n + 1);
	a->next = d->arena;
	d->arena = a;
	return a->data;
}

static int is_p(const struct tk *t, const char *s)
{
	return t->kind == CTOK_PUNCT && strcmp(t->punct, s) == 0;
}

static int is_id(const struct tk *t, const char *s)
{
	size_t n = strlen(s);
	return t->kind == CTOK_IDENT && t->n == n && memcmp(t->p, s, n) == 0;
}

static int has_prefix(const struct tk *t, const char *s)
{
	size_t n = strlen(s);
	return t->kind == CTOK_IDENT && t->n >= n && memcmp(t->p, s, n) == 0;
}

static int contains(const struct tk *t, const char *s)
{
	size_t n = strlen(s);
	if (t->kind != CTOK_IDENT)
		return 0;
	for (size_t i = 0; i + n <= t->n; i++)
		if (memcmp(t->p + i, s, n) == 0)
			return 1;
	return 0;
}

static int is_open(const struct tk *t)
{
	return is_p(t, "(") || is_p(t, "[") || is_p(t, "{");
}

static int is_close(const struct tk *t)
{
	return is_p(t, ")") || is_p(t, "]") || is_p(t, "}");
}

/* An assignment operator: "=", "+=", ... (not "==") */
static int is_assign(const struct tk *t)
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
static const char *spell(const struct tk *t, char *buf, size_t len)
{
	size_t n = t->kind == CTOK_PUNCT ? strlen(t->punct) : t->n;
	const char *p = t->kind == CTOK_PUNCT ? t->punct : t->p;
	if (n >= len)
		n = len - 1;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return buf;
}

static void note(struct det *d, int tech, int line, const char *fmt, ...) UTIL_PRINTF(4, 5);

static void note(struct det *d, int tech, int line, const char *fmt, ...)
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

static int intern(struct det *d, const char *p, size_t n)
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

static int intern_str(struct det *d, const char *s)
{
	return intern(d, s, strlen(s));
}

/* ---- tokens: ctokens, with operators joined ------------------------------------------- */

/* Append src[0..n) to dst, without newlines unless keep_nl, joining "+" "=" into "+=". */
static void convert(struct det *d, const struct ctok *src, size_t n, struct tkv *dst, int keep_nl)
{
	static const char *const ops[] = {"<<=", ">>=", "+=", "-=", "*=", "/=", "%=", "&=", "|=",
					  "^=", "==", "!=", "<=", ">=", "++", "--", "&&", "||",
					  "<<", ">>"};
	for (size_t i = 0; i < n; i++) {
		const struct ctok *c = &src[i];
		struct tk t;
		if (c->kind == CTOK_EOF)
			break;
		if (c->kind == CTOK_NEWLINE && !keep_nl)
			continue;
		memset(&t, 0, sizeof t);
		t.kind = c->kind;
		t.line = c->line;
		t.bol = c->bol;
		t.closed = c->closed;
		t.p = c->p;
		t.n = c->n;
		t.id = -1;
		memcpy(t.punct, c->punct, sizeof t.punct);
		if (c->kind == CTOK_IDENT)
			t.id = intern(d, c->p, c->n);
		if (c->kind == CTOK_PUNCT && c->n == 1) {
			for (size_t k = 0; k < sizeof ops / sizeof *ops; k++) {
				size_t l = strlen(ops[k]), j;
				for (j = 0; j < l; j++) {
					const struct ctok *e;
					if (i + j >= n)
						break;
					e = &src[i + j];
					if (e->kind != CTOK_PUNCT || e->n != 1 || e->p != c->p + j ||
					    e->p[0] != ops[k][j])
						break;
				}
				if (j == l) {
					memcpy(t.punct, ops[k], l + 1);
					t.n = l;
					i += l - 1;
					break;
				}
			}
		}
		tkv_push(dst, &t);
	}
}

static int add_pragma(struct det *d, const struct tk *w, size_t n, int line)
{
	struct pragma *p;
	if (d->npr == d->prcap) {
		d->prcap = d->prcap ? 2 * d->prcap : 16;
		d->pr = xrealloc(d->pr, d->prcap * sizeof *d->pr);
	}
	p = &d->pr[d->npr];
	p->w = util_xmalloc((n ? n : 1) * sizeof *p->w);
	memcpy(p->w, w, n * sizeof *w);
	p->n = n;
	p->line = line;
	return (int)d->npr++;
}

/* ---- preprocessing: conditionals ------------------------------------------------------ */

static struct macro *active_macro(struct det *d, int id, size_t pos)
{
	if (id < 0 || id >= d->mac_heads)
		return NULL;
	for (int k = d->mac_head[id]; k >= 0; k = d->mac[k].next)
		if (d->mac[k].from <= pos && pos < d->mac[k].to)
			return &d->mac[k];
	return NULL;
}

/* The macros the compiler defines under -std=c11 -O3 -march=native -fopenmp on the x86-64
 * machines kernels are measured on (AVX2 and FMA at least); whether AVX-512 is there
 * depends on the machine, so __AVX512F__ and kin stay unknown (both branches count). */
static int predefined(const char *p, size_t n)
{
	static const char *const known[] = {"_OPENMP", "__GNUC__", "__x86_64__", "__x86_64",
					    "__amd64__", "__STDC__", "__STDC_VERSION__",
					    "__linux__", "__SSE__", "__SSE2__", "__OPTIMIZE__",
					    "__STDC_HOSTED__", "__ELF__", "__LP64__", "__unix__",
					    "__SSE3__", "__SSSE3__", "__SSE4_1__", "__SSE4_2__",
					    "__AVX__", "__AVX2__", "__FMA__", "__linux", "__unix"};
	for (size_t i = 0; i < sizeof known / sizeof *known; i++)
		if (strlen(known[i]) == n && memcmp(known[i], p, n) == 0)
			return 1;
	return 0;
}

/* 1 defined, 0 not, -1 unknown (a reserved name the compiler may define). */
static int defined_state(struct det *d, const struct tk *t, size_t pos)
{
	if (t->kind != CTOK_IDENT)
		return -1;
	if (active_macro(d, t->id, pos) || predefined(t->p, t->n))
		return 1;
	if (t->n >= 2 && t->p[0] == '_' && (t->p[1] == '_' || (t->p[1] >= 'A' && t->p[1] <= 'Z')))
		return -1;
	return 0;
}

static int tri_not(int v)
{
	return v < 0 ? -1 : !v;
}

struct cexpr {
	struct det *d;
	const struct tk *t;
	size_t i, n, pos;
	int depth;
};

static int cond_or(struct cexpr *e);

static int cond_primary(struct cexpr *e)
{
	const struct tk *t;
	int v = -1;
	if (e->i >= e->n || ++e->depth > 64)
		return -1;
	t = &e->t[e->i];
	if (is_p(t, "!")) {
		e->i++;
		v = tri_not(cond_primary(e));
	} else if (is_p(t, "(")) {
		e->i++;
		v = cond_or(e);
		if (e->i < e->n && is_p(&e->t[e->i], ")"))
			e->i++;
	} else if (is_id(t, "defined")) {
		int paren = e->i + 1 < e->n && is_p(&e->t[e->i + 1], "(");
		e->i += 1 + (size_t)paren;
		if (e->i < e->n)
			v = defined_state(e->d, &e->t[e->i++], e->pos);
		if (paren && e->i < e->n && is_p(&e->t[e->i], ")"))
			e->i++;
	} else if (t->kind == CTOK_NUMBER) {
		v = strtoull(t->p, NULL, 0) != 0;
		e->i++;
	} else if (t->kind == CTOK_IDENT) {
		struct macro *m = active_macro(e->d, t->id, e->pos);
		if (m && !m->fn && m->nbody == 1 && m->body[0].kind == CTOK_NUMBER)
			v = strtoull(m->body[0].p, NULL, 0) != 0;
		else if (!m && defined_state(e->d, t, e->pos) == 0)
			v = 0;
		else if (!m && predefined(t->p, t->n))
			v = 1;
		e->i++;
	} else {
		e->i++;
	}
	/* Comparisons and arithmetic: not evaluated. */
	if (e->i < e->n && !is_p(&e->t[e->i], "&&") && !is_p(&e->t[e->i], "||") &&
	    !is_p(&e->t[e->i], ")")) {
		int depth = 0;
		for (; e->i < e->n; e->i++) {
			const struct tk *u = &e->t[e->i];
			if (is_p(u, "("))
				depth++;
			else if (is_p(u, ")") && depth-- == 0)
				break;
			else if (depth == 0 && (is_p(u, "&&") || is_p(u, "||")))
				break;
		}
		v = -1;
	}
	e->depth--;
	return v;
}

static int cond_and(struct cexpr *e)
{
	int v = cond_primary(e);
	while (e->i < e->n && is_p(&e->t[e->i], "&&")) {
		int w;
		e->i++;
		w = cond_primary(e);
		v = (v == 0 || w == 0) ? 0 : (v == 1 && w == 1) ? 1 : -1;
	}
	return v;
}

static int cond_or(struct cexpr *e)
{
	int v = cond_and(e);
	while (e->i < e->n && is_p(&e->t[e->i], "||")) {
		int w;
		e->i++;
		w = cond_and(e);
		v = (v == 1 || w == 1) ? 1 : (v == 0 && w == 0) ? 0 : -1;
	}
	return v;
}

static int eval_cond(struct det *d, const struct tk *t, size_t n, size_t pos)
{
	struct cexpr e = {d, t, 0, n, pos, 0};
	return n ? cond_or(&e) : -1;
}

/* ---- preprocessing: directives and macros -------------------------------------------- */

static void define_macro(struct det *d, const struct tk *t, size_t n, size_t pos)
{
	struct macro *m;
	size_t i = 1;
	struct macro *old;
	if (n == 0 || t[0].kind != CTOK_IDENT)
		return;
	if ((old = active_macro(d, t[0].id, pos)))
		old->to = pos;
	if (d->nmac == d->maccap) {
		d->maccap = d->maccap ? 2 * d->maccap : 32;
		d->mac = xrealloc(d->mac, (size_t)d->maccap * sizeof *d->mac);
	}
	m = &d->mac[d->nmac];
	memset(m, 0, sizeof *m);
	m->id = t[0].id;
	m->from = pos;
	m->to = NONE;
	m->params = util_xmalloc(sizeof *m->params * (n + 1));
	if (n > 1 && is_p(&t[1], "(") && t[1].p == t[0].p + t[0].n) {
		m->fn = 1;
		for (i = 2; i < n && !is_p(&t[i], ")"); i++) {
			if (t[i].kind == CTOK_IDENT)
				m->params[m->nparams++] = t[i].id;
			else if (is_p(&t[i], "..."))
				m->variadic = 1;
		}
		i++;
	}
	if (i > n)
		i = n;
	m->nbody = n - i;
	m->body = util_xmalloc((m->nbody ? m->nbody : 1) * sizeof *m->body);
	memcpy(m->body, t + i, m->nbody * sizeof *t);
	if (m->id >= d->mac_heads) {
		int nh = d->nnames + 64;
		d->mac_head = xrealloc(d->mac_head, (size_t)nh * sizeof *d->mac_head);
		for (int k = d->mac_heads; k < nh; k++)
			d->mac_head[k] = -1;
		d->mac_heads = nh;
	}
	m->next = d->mac_head[m->id];
	d->mac_head[m->id] = d->nmac++;
}

/* Directives go; live code goes to d->raw, a #pragma as a TK_PRAGMA token. */
static void preprocess(struct det *d)
{
	struct { int parent_dead, dead, taken; } cs[MAX_COND_DEPTH];
	int depth = 0, over = 0; /* over: nesting past MAX_COND_DEPTH */
	const struct tk *a;
	size_t n;

	convert(d, d->src.tok, d->src.count, &d->all, 1);
	a = d->all.v;
	n = d->all.n;
	for (size_t i = 0; i < n; i++) {
		int dead = depth > 0 && cs[depth - 1].dead;
		if (a[i].kind == CTOK_NEWLINE)
			continue;
		if (a[i].bol && is_p(&a[i], "#")) {
			size_t e = i + 1, w;
			const struct tk *dir = e < n ? &a[e] : NULL;
			while (e < n && a[e].kind != CTOK_NEWLINE)
				e++;
			w = i + 2 < e ? e - i - 2 : 0;
			if (dir && dir->kind == CTOK_IDENT) {
				if (is_id(dir, "if") || is_id(dir, "ifdef") || is_id(dir, "ifndef")) {
					int v = -1;
					if (is_id(dir, "if"))
						v = eval_cond(d, &a[i + 2], w, d->raw.n);
					else if (w)
						v = defined_state(d, &a[i + 2], d->raw.n);
					if (is_id(dir, "ifndef"))
						v = tri_not(v);
					if (depth >= MAX_COND_DEPTH) {
						over++;
					} else {
						cs[depth].parent_dead = dead;
						cs[depth].dead = dead || v == 0;
						cs[depth].taken = v == 1;
						depth++;
					}
				} else if (is_id(dir, "elif") && depth > 0 && !over) {
					int v = cs[depth - 1].taken ? 0
									: eval_cond(d, &a[i + 2], w, d->raw.n);
					cs[depth - 1].dead = cs[depth - 1].parent_dead || cs[depth - 1].taken ||
							     v == 0;
					if (v == 1)
						cs[depth - 1].taken = 1;
				} else if (is_id(dir, "else") && depth > 0 && !over) {
					cs[depth - 1].dead = cs[depth - 1].parent_dead || cs[depth - 1].taken;
				} else if (is_id(dir, "endif")) {
					if (over)
						over--;
					else if (depth > 0)
						depth--;
				} else if (dead) {
					/* nothing else counts in a dead branch */
				} else if (is_id(dir, "define") && w) {
					define_macro(d, &a[i + 2], w, d->raw.n);
				} else if (is_id(dir, "undef") && w) {
					struct macro *m = active_macro(d, a[i + 2].id, d->raw.n);
					if (m)
						m->to = d->raw.n;
				} else if (is_id(dir, "pragma")) {
					struct tk p;
					memset(&p, 0, sizeof p);
					p.kind = TK_PRAGMA;
					p.line = a[i].line;
					p.p = a[i].p;
					p.n = 1;
					p.id = add_pragma(d, &a[i + 2], w, a[i].line);
					tkv_push(&d->raw, &p);
				}
			}
			i = e;
			continue;
		}
		if (!dead)
			tkv_push(&d->raw, &a[i]);
	}
}

/* "#x": the spelling of an argument as a string literal. */
static struct tk stringize(struct det *d, const struct tk *a, size_t n, int line)
{
	size_t len = 2;
	char *s, *q;
	struct tk t;
	for (size_t i = 0; i < n; i++)
		len += 2 * (a[i].kind == CTOK_PUNCT ? strlen(a[i].punct) : a[i].n) + 1;
	s = q = arena_alloc(d, len);
	*q++ = '"';
	for (size_t i = 0; i < n; i++) {
		const char *p = a[i].kind == CTOK_PUNCT ? a[i].punct : a[i].p;
		size_t m = a[i].kind == CTOK_PUNCT ? strlen(a[i].punct) : a[i].n;
		if (i)
			*q++ = ' ';
		for (size_t j = 0; j < m; j++) {
			if (a[i].kind == CTOK_STRING && (p[j] == '"' || p[j] == '\\'))
				*q++ = '\\';
			*q++ = p[j];
		}
	}
	*q++ = '"';
	memset(&t, 0, sizeof t);
	t.kind = CTOK_STRING;
	t.closed = 1;
	t.line = line;
	t.p = s;
	t.n = (size_t)(q - s);
	t.id = -1;
	return t;
}

/* "a ## b": one token spelled as both. */
static struct tk paste(struct det *d, const struct tk *l, const struct tk *r)
{
	const char *lp = l->kind == CTOK_PUNCT ? l->punct : l->p;
	const char *rp = r->kind == CTOK_PUNCT ? r->punct : r->p;
	size_t ln = l->kind == CTOK_PUNCT ? strlen(l->punct) : l->n;
	size_t rn = r->kind == CTOK_PUNCT ? strlen(r->punct) : r->n;
	char *s = arena_alloc(d, ln + rn);
	struct tk t = *l;
	memcpy(s, lp, ln);
	memcpy(s + ln, rp, rn);
	s[ln + rn] = '\0';
	t.p = s;
	t.n = ln + rn;
	if (t.kind == CTOK_IDENT)
		t.id = intern(d, s, ln + rn);
	else if (t.kind == CTOK_PUNCT)
		snprintf(t.punct, sizeof t.punct, "%.3s", s);
	return t;
}

struct expand_ctx {
	int dis[MAX_EXPAND_DEPTH + 1];
	int ndis;
};

static void expand(struct det *d, const struct tk *s, size_t n, size_t pos, int line,
		   struct expand_ctx *x);

/* Substitute the arguments of m (args[k] = [lo, hi) of s) into its body and expand. */
static void expand_call(struct det *d, struct macro *m, const struct tk *s, size_t (*args)[2],
			int nargs, size_t pos, int line, struct expand_ctx *x)
{
	struct tkv tmp = {NULL, 0, 0};
	int va = intern_str(d, "__VA_ARGS__"), pend = 0;
	for (size_t b = 0; b < m->nbody; b++) {
		const struct tk *bt = &m->body[b];
		size_t at = tmp.n, lo = 0, hi = 0;
		int param = -1;
		if (is_p(bt, "##")) {
			pend = tmp.n > 0;
			continue;
		}
		if (bt->kind == CTOK_IDENT) {
			for (int k = 0; k < m->nparams; k++)
				if (m->params[k] == bt->id)
					param = k;
			if (bt->id == va && m->variadic)
				param = m->nparams;
		}
		if (is_p(bt, "#") && b + 1 < m->nbody && m->body[b + 1].kind == CTOK_IDENT) {
			int k2 = -1;
			for (int k = 0; k < m->nparams; k++)
				if (m->params[k] == m->body[b + 1].id)
					k2 = k;
			if (m->body[b + 1].id == va && m->variadic)
				k2 = m->nparams;
			if (k2 >= 0) {
				struct tk st;
				if (k2 < nargs)
					st = stringize(d, s + args[k2][0], args[k2][1] - args[k2][0], line);
				else
					st = stringize(d, NULL, 0, line);
				tkv_push(&tmp, &st);
				b++;
				pend = 0;
				continue;
			}
		}
		if (param >= 0) {
			if (param < nargs) {
				lo = args[param][0];
				hi = param == m->nparams ? args[nargs - 1][1] : args[param][1];
			}
			for (size_t j = lo; j < hi; j++)
				tkv_push(&tmp, &s[j]);
		} else {
			tkv_push(&tmp, bt);
		}
		if (pend && at > 0 && at < tmp.n) {
			tmp.v[at - 1] = paste(d, &tmp.v[at - 1], &tmp.v[at]);
			memmove(&tmp.v[at], &tmp.v[at + 1], (tmp.n - at - 1) * sizeof *tmp.v);
			tmp.n--;
		}
		pend = 0;
	}
	x->dis[x->ndis++] = (int)(m - d->mac);
	expand(d, tmp.v, tmp.n, pos, line, x);
	x->ndis--;
	free(tmp.v);
}

static void expand(struct det *d, const struct tk *s, size_t n, size_t pos, int line,
		   struct expand_ctx *x)
{
	for (size_t i = 0; i < n; i++) {
		const struct tk *t = &s[i];
		size_t at = x->ndis ? pos : pos + i;
		struct macro *m;
		struct tk c;
		int off = 0;
		if (d->out.n >= MAX_TOKENS) {
			d->truncated = 1;
			return;
		}
		m = t->kind == CTOK_IDENT && x->ndis < MAX_EXPAND_DEPTH ? active_macro(d, t->id, at)
									: NULL;
		for (int k = 0; m && k < x->ndis; k++)
			if (x->dis[k] == (int)(m - d->mac))
				off = 1;
		if (m && !off) {
			int ln = x->ndis ? line : t->line;
			if (!m->fn) {
				x->dis[x->ndis++] = (int)(m - d->mac);
				expand(d, m->body, m->nbody, at, ln, x);
				x->ndis--;
				continue;
			}
			if (i + 1 < n && is_p(&s[i + 1], "(")) {
				size_t j, start = i + 2;
				int depth = 0, nargs = 0, cap = 8;
				size_t (*args)[2] = util_xmalloc((size_t)cap * sizeof *args);
				for (j = i + 2; j < n; j++) {
					if (is_p(&s[j], "(") || is_p(&s[j], "[") || is_p(&s[j], "{")) {
						depth++;
					} else if (depth > 0 && is_close(&s[j])) {
						depth--;
					} else if (depth == 0 && (is_p(&s[j], ",") || is_p(&s[j], ")"))) {
						if (nargs == cap) {
							cap *= 2;
							args = xrealloc(args, (size_t)cap * sizeof *args);
						}
						args[nargs][0] = start;
						args[nargs][1] = j;
						nargs++;
						start = j + 1;
						if (is_p(&s[j], ")"))
							break;
					}
				}
				if (j < n) {
					if (nargs == 1 && args[0][0] == args[0][1] && m->nparams == 0)
						nargs = 0;
					expand_call(d, m, s, args, nargs, at, ln, x);
					free(args);
					i = j;
					continue;
				}
				free(args);
			}
		}
		c = *t;
		if (x->ndis)
			c.line = line;
		tkv_push(&d->out, &c);
	}
}

/* _Pragma("...") as a TK_PRAGMA: the string's content, unescaped and lexed. */
static void read_pragma_operators(struct det *d)
{
	struct tkv fin = {NULL, 0, 0};
	struct tk *o = d->out.v;
	size_t n = d->out.n;
	for (size_t i = 0; i < n; i++) {
		if (is_id(&o[i], "_Pragma") && i + 3 < n && is_p(&o[i + 1], "(") &&
		    o[i + 2].kind == CTOK_STRING && is_p(&o[i + 3], ")")) {
			const char *p = o[i + 2].p, *q = memchr(p, '"', o[i + 2].n);
			size_t len = 0, end = o[i + 2].n;
			char *s = arena_alloc(d, o[i + 2].n);
			struct ctokens ct;
			struct tkv w = {NULL, 0, 0};
			struct tk pt;
			if (q) {
				size_t stop = o[i + 2].closed && end > 0 ? end - 1 : end;
				for (size_t j = (size_t)(q - p) + 1; j < stop; j++) {
					if (p[j] == '\\' && j + 1 < stop && (p[j + 1] == '"' || p[j + 1] == '\\'))
						j++;
					s[len++] = p[j];
				}
			}
			s[len] = '\0';
			if (ctokens_lex(s, len, &ct, NULL, 0) == 0) {
				d->extra = xrealloc(d->extra, (d->nextra + 1) * sizeof *d->extra);
				d->extra[d->nextra++] = ct;
				convert(d, ct.tok, ct.count, &w, 0);
			}
			memset(&pt, 0, sizeof pt);
			pt.kind = TK_PRAGMA;
			pt.line = o[i].line;
			pt.p = o[i].p;
			pt.n = o[i].n;
			for (size_t j = 0; j < w.n; j++)
				w.v[j].line = o[i].line;
			pt.id = add_pragma(d, w.v, w.n, o[i].line);
			free(w.v);
			tkv_push(&fin, &pt);
			i += 3;
			continue;
		}
		tkv_push(&fin, &o[i]);
	}
	free(d->out.v);
	d->out = fin;
}

/* ---- structure: brackets, functions, loops, statements -------------------------------- */

static int budget(struct det *d, long cost)
{
	d->budget -= cost;
	return d->budget > 0;
}

static void match_brackets(struct det *d)
{
	size_t *stack = util_xmalloc((d->n + 1) * sizeof *stack), sp = 0;
	d->match = util_xmalloc((d->n + 8) * sizeof *d->match);
	for (size_t i = 0; i < d->n + 8; i++)
		d->match[i] = i;
	for (size_t i = 0; i < d->n; i++) {
		const struct tk *t = &d->t[i];
		if (is_open(t)) {
			stack[sp++] = i;
		} else if (is_close(t)) {
			char want = t->punct[0] == ')' ? '(' : t->punct[0] == ']' ? '[' : '{';
			size_t k = sp;
			while (k > 0 && sp - k < 64 && d->t[stack[k - 1]].punct[0] != want)
				k--;
			if (k > 0 && d->t[stack[k - 1]].punct[0] == want) {
				for (size_t u = k; u < sp; u++)
					d->match[stack[u]] = i; /* unclosed inside: close here */
				d->match[stack[k - 1]] = i;
				d->match[i] = stack[k - 1];
				sp = k - 1;
			}
		}
	}
	while (sp > 0)
		d->match[stack[--sp]] = d->n; /* never closed: runs to the end */
	free(stack);
}

static int is_control(const struct tk *t)
{
	return is_id(t, "for") || is_id(t, "while") || is_id(t, "if") || is_id(t, "switch");
}

static int is_keyword_call(const struct tk *t)
{
	return is_control(t) || is_id(t, "sizeof") || is_id(t, "return") ||
	       is_id(t, "__attribute__") || is_id(t, "__attribute") || is_id(t, "_Alignas") ||
	       is_id(t, "__typeof__") || is_id(t, "typeof") || is_id(t, "_Pragma");
}

/* Split (lo, hi) at top-level commas; the name of each part is its last top-level identifier. */
static int *param_names(struct det *d, size_t lo, size_t hi, int *count)
{
	int *ids = util_xmalloc((hi - lo + 1) * sizeof *ids), n = 0, last = -1, any = 0;
	for (size_t i = lo + 1; i <= hi && i < d->n; i++) {
		const struct tk *t = &d->t[i];
		if (i == hi || is_p(t, ",")) {
			if (any && last >= 0)
				ids[n++] = last;
			last = -1;
			any = 0;
			continue;
		}
		any = 1;
		if (is_open(t) && d->match[i] > i && d->match[i] < hi) {
			i = d->match[i];
			continue;
		}
		if (t->kind == CTOK_IDENT && !is_id(t, "void") && !is_id(t, "restrict") &&
		    !is_id(t, "const") && !is_id(t, "__restrict") && !is_id(t, "__restrict__"))
			last = t->id;
	}
	*count = n;
	return ids;
}

static void find_functions(struct det *d)
{
	int cap = 0;
	for (size_t i = 0; i < d->n; i++) {
		const struct tk *t = &d->t[i];
		size_t r, o;
		if (!is_p(t, "{"))
			continue;
		r = i;
		/* f(...) __attribute__((...)) { */
		while (r > 0 && is_p(&d->t[r - 1], ")")) {
			o = d->match[r - 1];
			if (o >= r - 1 || o == 0)
				break;
			if (is_id(&d->t[o - 1], "__attribute__") || is_id(&d->t[o - 1], "__attribute")) {
				r = o - 1;
				continue;
			}
			if (d->t[o - 1].kind == CTOK_IDENT && !is_keyword_call(&d->t[o - 1])) {
				struct func *f;
				if (d->nfn == cap) {
					cap = cap ? 2 * cap : 16;
					d->fn = xrealloc(d->fn, (size_t)cap * sizeof *d->fn);
				}
				f = &d->fn[d->nfn++];
				f->id = d->t[o - 1].id;
				f->lp = o;
				f->rp = d->match[o];
				f->lo = i;
				f->hi = d->match[i];
				f->params = param_names(d, o, d->match[o], &f->nparams);
			}
			break;
		}
		i = d->match[i] > i ? d->match[i] : i; /* skip the body, a struct, an initialiser */
	}
	d->tokfunc = util_xmalloc((d->n + 1) * sizeof *d->tokfunc);
	for (size_t i = 0; i <= d->n; i++)
		d->tokfunc[i] = -1;
	for (int f = 0; f < d->nfn; f++)
		for (size_t i = d->fn[f].lo; i <= d->fn[f].hi && i < d->n; i++)
			d->tokfunc[i] = f;
}

/* One past the end of the statement at i. */
static size_t stmt_end_(struct det *d, size_t i, int depth);

/* The same, remembered: loops are measured innermost first, so a chain of loop headers
 * (for (..) for (..) ... x;) costs one step per header, not one per pair. */
static size_t stmt_end(struct det *d, size_t i, int depth)
{
	size_t e;
	if (i >= d->n)
		return d->n;
	if (d->send[i] != NONE)
		return d->send[i];
	e = stmt_end_(d, i, depth);
	d->send[i] = e;
	return e;
}

static size_t stmt_end_(struct det *d, size_t i, int depth)
{
	while (i < d->n) {
		const struct tk *t = &d->t[i];
		if (t->kind == TK_PRAGMA) {
			i++;
		} else if (is_p(t, "{")) {
			return d->match[i] + 1;
		} else if ((is_id(t, "for") || is_id(t, "while") || is_id(t, "switch")) &&
			   is_p(&d->t[i + 1], "(")) {
			i = d->match[i + 1] + 1;
			if (i < d->n && d->send[i] != NONE)
				return d->send[i];
		} else if (is_id(t, "if") && is_p(&d->t[i + 1], "(") && depth < MAX_STMT_DEPTH) {
			size_t e = stmt_end(d, d->match[i + 1] + 1, depth + 1);
			if (e < d->n && is_id(&d->t[e], "else"))
				i = e + 1;
			else
				return e;
		} else if (is_id(t, "do") && depth < MAX_STMT_DEPTH) {
			size_t e = stmt_end(d, i + 1, depth + 1);
			if (e < d->n && is_id(&d->t[e], "while") && is_p(&d->t[e + 1], "("))
				e = d->match[e + 1] + 1;
			if (e < d->n && is_p(&d->t[e], ";"))
				e++;
			return e;
		} else if (is_id(t, "else")) {
			i++;
		} else {
			for (; i < d->n; i++) {
				if (is_p(&d->t[i], ";"))
					return i + 1;
				if (is_p(&d->t[i], "}"))
					return i;
				if (is_open(&d->t[i]))
					i = d->match[i];
			}
			return d->n;
		}
	}
	return d->n;
}

/* The first top-level ';' of (lo, hi), or hi. */
static size_t next_semi(struct det *d, size_t lo, size_t hi)
{
	for (size_t i = lo; i < hi; i++) {
		if (is_p(&d->t[i], ";"))
			return i;
		if (is_open(&d->t[i]) && d->match[i] < hi)
			i = d->match[i];
	}
	return hi;
}

/* The value of a constant expression of numbers and constant names, or 0 with *ok = 0. */
static long eval_const(struct det *d, size_t lo, size_t hi, int *ok);

/* A name assigned exactly once, to a number: its value (enum constants, const ints). */
static int const_value(struct det *d, int id, long *val)
{
	int assigned = 0, found = 0;
	long v = 0;
	if (id >= 0 && id < d->nnames && d->cknown[id]) {
		*val = d->cval[id];
		return d->cknown[id] > 0;
	}
	if (id < 0 || id >= d->nnames || !budget(d, (long)d->n))
		return 0;
	for (size_t i = 0; i + 1 < d->n; i++) {
		const struct tk *t = &d->t[i];
		if (t->kind != CTOK_IDENT || t->id != id)
			continue;
		if (i > 0 && (is_p(&d->t[i - 1], ".") || is_p(&d->t[i - 1], "->")))
			continue;
		if (is_assign(&d->t[i + 1]) || is_p(&d->t[i + 1], "++") || is_p(&d->t[i + 1], "--") ||
		    (i > 0 && (is_p(&d->t[i - 1], "++") || is_p(&d->t[i - 1], "--")))) {
			assigned++;
			if (is_p(&d->t[i + 1], "=") && d->t[i + 2].kind == CTOK_NUMBER &&
			    (is_p(&d->t[i + 3], ";") || is_p(&d->t[i + 3], ",") ||
			     is_p(&d->t[i + 3], "}"))) {
				v = strtol(d->t[i + 2].p, NULL, 0);
				found = 1;
			}
		}
	}
	d->cknown[id] = assigned == 1 && found ? 1 : -1;
	d->cval[id] = v;
	if (assigned != 1 || !found)
		return 0;
	*val = v;
	return 1;
}

struct ceval {
	struct det *d;
	size_t i, hi;
	int ok, depth;
};

static long ce_sum(struct ceval *e);

static long ce_atom(struct ceval *e)
{
	const struct tk *t;
	long v = 0;
	if (e->i >= e->hi || ++e->depth > 32) {
		e->ok = 0;
		return 0;
	}
	t = &e->d->t[e->i++];
	if (t->kind == CTOK_NUMBER) {
		char *end;
		v = strtol(t->p, &end, 0);
		if (end == t->p)
			e->ok = 0;
	} else if (t->kind == CTOK_IDENT) {
		if (!const_value(e->d, t->id, &v))
			e->ok = 0;
	} else if (is_p(t, "(")) {
		v = ce_sum(e);
		if (e->i < e->hi && is_p(&e->d->t[e->i], ")"))
			e->i++;
		else
			e->ok = 0;
	} else if (is_p(t, "-")) {
		v = -ce_atom(e);
	} else {
		e->ok = 0;
	}
	e->depth--;
	return v;
}

static long ce_prod(struct ceval *e)
{
	long v = ce_atom(e);
	while (e->ok && e->i < e->hi && (is_p(&e->d->t[e->i], "*") || is_p(&e->d->t[e->i], "/"))) {
		int mul = is_p(&e->d->t[e->i++], "*");
		long w = ce_atom(e);
		if (mul && w != 0 && (v > 1000000 || v < -1000000 || w > 1000000 || w < -1000000))
			e->ok = 0;
		else if (mul)
			v *= w;
		else if (w != 0)
			v /= w;
		else
			e->ok = 0;
	}
	return v;
}

static long ce_sum(struct ceval *e)
{
	long v = ce_prod(e);
	while (e->ok && e->i < e->hi && (is_p(&e->d->t[e->i], "+") || is_p(&e->d->t[e->i], "-"))) {
		int add = is_p(&e->d->t[e->i++], "+");
		long w = ce_prod(e);
		if (w > 1000000000 || w < -1000000000 || v > 1000000000 || v < -1000000000)
			e->ok = 0;
		v = add ? v + w : v - w;
	}
	return v;
}

static long eval_const(struct det *d, size_t lo, size_t hi, int *ok)
{
	struct ceval e = {d, lo, hi, 1, 0};
	long v;
	if (lo >= hi) {
		*ok = 0;
		return 0;
	}
	v = ce_sum(&e);
	*ok = e.ok && e.i == hi;
	return *ok ? v : 0;
}

static int has_ident(struct det *d, size_t lo, size_t hi)
{
	for (size_t i = lo; i < hi; i++)
		if (d->t[i].kind == CTOK_IDENT)
			return 1;
	return 0;
}

static int parse_step(struct det *d, struct loop *l, int var, size_t lo, size_t hi);

/* The induction variable, its step and the header's parts. */
static void parse_header(struct det *d, struct loop *l)
{
	size_t s1 = next_semi(d, l->lp + 1, l->rp), s2 = s1 < l->rp ? next_semi(d, s1 + 1, l->rp) : l->rp;
	size_t lo, hi;
	l->init[0] = l->lp + 1;
	l->init[1] = s1;
	l->cond[0] = s1 < l->rp ? s1 + 1 : l->rp;
	l->cond[1] = s2;
	l->step[0] = s2 < l->rp ? s2 + 1 : l->rp;
	l->step[1] = l->rp;
	l->var = -1;
	for (size_t i = l->init[0]; i < l->init[1]; i++)
		if (is_p(&d->t[i], "=") && i > l->init[0] && d->t[i - 1].kind == CTOK_IDENT) {
			l->var = d->t[i - 1].id;
			break;
		}
	lo = l->step[0];
	hi = l->step[1];
	if (l->var < 0)
		for (size_t i = lo; i < hi; i++)
			if (d->t[i].kind == CTOK_IDENT) {
				l->var = d->t[i].id;
				break;
			}
	parse_step(d, l, l->var, lo, hi);
}

/* The step of var in [lo, hi) (v++, v += X, v = v + X): 1 when found. */
static int parse_step(struct det *d, struct loop *l, int var, size_t lo, size_t hi)
{
	if (!budget(d, (long)(hi - lo)))
		return 0;
	for (size_t i = lo; i < hi && var >= 0; i++) {
		const struct tk *t = &d->t[i];
		size_t e;
		int ok;
		if (t->kind != CTOK_IDENT || t->id != var)
			continue;
		if (i > lo && (is_p(&d->t[i - 1], ".") || is_p(&d->t[i - 1], "->")))
			continue;
		if (is_p(&d->t[i + 1], "++") || (i > lo && is_p(&d->t[i - 1], "++"))) {
			l->step_val = 1;
			return 1;
		}
		if (is_p(&d->t[i + 1], "--") || (i > lo && is_p(&d->t[i - 1], "--"))) {
			l->step_val = -1;
			return 1;
		}
		if (is_p(&d->t[i + 1], "+=") || is_p(&d->t[i + 1], "-=") ||
		    (is_p(&d->t[i + 1], "=") && d->t[i + 2].id == var && d->t[i + 2].kind == CTOK_IDENT &&
		     is_p(&d->t[i + 3], "+"))) {
			size_t x = is_p(&d->t[i + 1], "=") ? i + 4 : i + 2;
			for (e = x; e < hi && !is_p(&d->t[e], ",") && !is_p(&d->t[e], ";"); e++)
				if (is_open(&d->t[e]) && d->match[e] < hi)
					e = d->match[e];
			l->step_val = eval_const(d, x, e, &ok);
			if (is_p(&d->t[i + 1], "-="))
				l->step_val = -l->step_val;
			if (!ok) {
				l->step_val = 0;
				l->step_sym = has_ident(d, x, e);
			}
			return 1;
		}
	}
	return 0;
}

static void find_loops(struct det *d)
{
	int cap = 0, *stack, sp = 0;
	for (size_t i = 0; i + 1 < d->n; i++) {
		struct loop *l;
		size_t b;
		int wh = is_id(&d->t[i], "while");
		if (!(is_id(&d->t[i], "for") || wh) || !is_p(&d->t[i + 1], "("))
			continue;
		if (wh && i > 0 && is_p(&d->t[i - 1], "}") && d->match[i - 1] > 0 &&
		    is_id(&d->t[d->match[i - 1] - 1], "do"))
			continue; /* the end of a do-while */
		if (d->nlp == cap) {
			cap = cap ? 2 * cap : 32;
			d->lp = xrealloc(d->lp, (size_t)cap * sizeof *d->lp);
		}
		l = &d->lp[d->nlp++];
		memset(l, 0, sizeof *l);
		l->tok = i;
		l->lp = i + 1;
		l->rp = d->match[i + 1] < d->n ? d->match[i + 1] : d->n - 1;
		if (!wh)
			parse_header(d, l);
		b = l->rp + 1;
		while (b < d->n && d->t[b].kind == TK_PRAGMA)
			b++;
		l->lo = b;
		l->parent = -1;
		l->func = d->tokfunc[i];
	}
	for (int k = d->nlp; k-- > 0;) { /* innermost first, see stmt_end */
		struct loop *l = &d->lp[k];
		int wh = is_id(&d->t[l->tok], "while");
		l->hi = l->lo < d->n ? stmt_end(d, l->lo, 0) : d->n;
		if (l->hi > d->n)
			l->hi = d->n;
		if (l->hi < l->lo)
			l->hi = l->lo;
		if (wh) {
			/* while (cond) body: the variable of cond that the body steps */
			l->init[0] = l->init[1] = l->lp + 1;
			l->cond[0] = l->lp + 1;
			l->cond[1] = l->rp;
			l->step[0] = l->step[1] = l->rp;
			l->var = -1;
			for (size_t j = l->cond[0]; j < l->cond[1] && l->var < 0; j++)
				if (d->t[j].kind == CTOK_IDENT && !is_p(&d->t[j + 1], "(") &&
				    parse_step(d, l, d->t[j].id, l->lo, l->hi))
					l->var = d->t[j].id;
		}
	}
	stack = util_xmalloc(((size_t)d->nlp + 1) * sizeof *stack);
	for (int k = 0; k < d->nlp; k++) {
		struct loop *l = &d->lp[k];
		while (sp > 0 && d->lp[stack[sp - 1]].hi <= l->tok)
			sp--;
		if (sp > 0 && d->lp[stack[sp - 1]].lo <= l->tok) {
			l->parent = stack[sp - 1];
			d->lp[l->parent].nchild++;
		}
		stack[sp++] = k;
	}
	free(stack);
}

static void add_stmt(struct det *d, size_t *cap, size_t lo, size_t hi, int f)
{
	struct stmt *s;
	if (lo >= hi)
		return;
	if (d->nst == *cap) {
		*cap = *cap ? 2 * *cap : 64;
		d->st = xrealloc(d->st, *cap * sizeof *d->st);
	}
	s = &d->st[d->nst++];
	s->lo = lo;
	s->hi = hi;
	s->func = f;
	s->loop = -1;
}

/* The simple statements of every function body, in order. */
static void find_statements(struct det *d)
{
	size_t cap = 0;
	int sp = 0, k = 0, *stack;
	for (int f = 0; f < d->nfn; f++) {
		size_t start = d->fn[f].lo + 1, hi = d->fn[f].hi < d->n ? d->fn[f].hi : d->n;
		for (size_t i = start; i < hi; i++) {
			const struct tk *t = &d->t[i];
			if (is_p(t, "(") || is_p(t, "[")) {
				size_t m = d->match[i] < hi ? d->match[i] : hi - 1;
				if (is_p(t, "(") && i > 0 && is_control(&d->t[i - 1]))
					start = m + 1;
				i = m;
			} else if (is_p(t, "{")) {
				const struct tk *pv = &d->t[i - 1];
				int block = 1;
				if (is_p(pv, "=") || is_p(pv, ",") || is_p(pv, "(") || is_id(pv, "return"))
					block = 0;
				else if (is_p(pv, ")") && d->match[i - 1] > 0 && d->match[i - 1] < i &&
					 !is_control(&d->t[d->match[i - 1] - 1]) &&
					 d->t[d->match[i - 1] - 1].kind != CTOK_IDENT)
					block = 0;
				if (block)
					start = i + 1;
				else
					i = d->match[i] < hi ? d->match[i] : hi - 1;
			} else if (is_p(t, "}") || t->kind == TK_PRAGMA || is_id(t, "else") ||
				   is_id(t, "do")) {
				start = i + 1;
			} else if (is_p(t, ":") && i > start &&
				   (is_id(&d->t[start], "case") || is_id(&d->t[start], "default") ||
				    (i == start + 1 && d->t[start].kind == CTOK_IDENT))) {
				start = i + 1;
			} else if (is_p(t, ";")) {
				add_stmt(d, &cap, start, i, f);
				start = i + 1;
			}
		}
	}
	/* The innermost loop of each statement (both lists are in token order). */
	stack = util_xmalloc(((size_t)d->nlp + 1) * sizeof *stack);
	for (size_t s = 0; s < d->nst; s++) {
		size_t lo = d->st[s].lo;
		while (k < d->nlp && d->lp[k].tok < lo) {
			while (sp > 0 && d->lp[stack[sp - 1]].hi <= d->lp[k].tok)
				sp--;
			stack[sp++] = k++;
		}
		while (sp > 0 && d->lp[stack[sp - 1]].hi <= lo)
			sp--;
		d->st[s].loop = sp > 0 && d->lp[stack[sp - 1]].lo <= lo ? stack[sp - 1] : -1;
	}
	free(stack);
}

static void find_calls(struct det *d)
{
	size_t cap = 0;
	for (size_t i = 0; i + 1 < d->n; i++) {
		const struct tk *t = &d->t[i];
		struct call *c;
		if (t->kind != CTOK_IDENT || !is_p(&d->t[i + 1], "(") || d->tokfunc[i] < 0 ||
		    is_keyword_call(t))
			continue;
		if (d->ncalls == cap) {
			cap = cap ? 2 * cap : 64;
			d->calls = xrealloc(d->calls, cap * sizeof *d->calls);
		}
		c = &d->calls[d->ncalls++];
		c->tok = i;
		c->lp = i + 1;
		c->rp = d->match[i + 1] < d->n ? d->match[i + 1] : d->n;
		c->caller = d->tokfunc[i];
		c->callee_id = t->id;
	}
}

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

static unsigned bits_of(struct det *d, int f, int id)
{
	unsigned *a = mslot(d, mkey(f, id), 0), *b = f >= 0 ? mslot(d, mkey(-1, id), 0) : NULL;
	return (a ? *a : 0) | (b ? *b : 0);
}

static int add_bits(struct det *d, int f, int id, unsigned bits)
{
	unsigned *v;
	if (!bits || id < 0 || (bits_of(d, f, id) & bits) == bits)
		return 0;
	v = mslot(d, mkey(f, id), 1);
	*v |= bits;
	return 1;
}

/* Is the '*' at i a multiplication (not a dereference or a pointer declarator)? */
static int binary_star(struct det *d, size_t i)
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
static unsigned expr_bits(struct det *d, int f, size_t lo, size_t hi)
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
static size_t assign_op(struct det *d, size_t lo, size_t hi)
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
static int assigned_var(struct det *d, size_t lo, size_t op)
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

/* for each top-level comma-separated part [plo, phi) of [lo, hi) */
#define FOR_PARTS(d, lo, hi, plo, phi)                                                   \
	for (size_t plo = (lo), phi = 0; plo < (hi); plo = phi + 1)                      \
		if (((phi = part_end((d), plo, (hi))), 1))

static size_t part_end(struct det *d, size_t lo, size_t hi)
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
static int store_base(struct det *d, size_t lo, size_t op)
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

static int func_params(struct det *d, int id, int k, int *out, int max)
{
	int n = 0;
	for (int f = 0; f < d->nfn && n < max; f++)
		if (d->fn[f].id == id && k < d->fn[f].nparams)
			out[n++] = f;
	return n;
}

static void propagate(struct det *d)
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

static void seed(struct det *d)
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

static void rule_pragmas(struct det *d)
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

static void rule_identifiers(struct det *d)
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

static void rule_user(struct det *d)
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

static void rule_cache_blocking(struct det *d)
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

static void rule_register_blocking(struct det *d)
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
static int find_copies(struct det *d, size_t *first)
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
static void packed_back(struct det *d)
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
static size_t packed_read(struct det *d)
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

static void rule_unrolling(struct det *d)
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

static void rule_loop_reorder(struct det *d)
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
