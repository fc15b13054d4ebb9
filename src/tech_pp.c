/* tech_pp.c - the technique detector's C preprocessor: tokens with operators joined, dead #if
 * branches dropped, macros expanded where they are used, _Pragma read into pragmas. */
#include "config.h"
#include "tech_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TOKENS (1u << 20)    /* after macro expansion; past it, best effort */
#define MAX_COND_DEPTH 512

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
void preprocess(struct det *d)
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

void expand(struct det *d, const struct tk *s, size_t n, size_t pos, int line,
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
void read_pragma_operators(struct det *d)
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
