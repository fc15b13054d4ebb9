/* tech_parse.c - the technique detector's loop nest: matched brackets, functions, loops and
 * their steps, statements and calls, over the preprocessed tokens. */
#include "config.h"
#include "tech_internal.h"

#include <stdlib.h>
#include <string.h>

#define MAX_STMT_DEPTH 200

/* ---- structure: brackets, functions, loops, statements -------------------------------- */

int budget(struct det *d, long cost)
{
	d->budget -= cost;
	return d->budget > 0;
}

void match_brackets(struct det *d)
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

int is_control(const struct tk *t)
{
	return is_id(t, "for") || is_id(t, "while") || is_id(t, "if") || is_id(t, "switch");
}

int is_keyword_call(const struct tk *t)
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

void find_functions(struct det *d)
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

long eval_const(struct det *d, size_t lo, size_t hi, int *ok)
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

void find_loops(struct det *d)
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
void find_statements(struct det *d)
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

void find_calls(struct det *d)
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
