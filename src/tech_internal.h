/* tech_internal.h - what the phases of the technique detector share, for techniques.c and
 * tech_*.c only: the token, the state of one detection (struct det) and each phase's functions.
 * The seam: techniques_detect (techniques.c) runs the phases in order over one struct det,
 * tech_pp.c -> tech_parse.c -> tech_flow.c -> tech_rules.c; each fills its section of the
 * struct and reads the earlier ones'. Nothing here is part of the library's interface. */
#ifndef PERFRL_TECH_INTERNAL_H
#define PERFRL_TECH_INTERNAL_H

#include "catalogue.h"
#include "techniques.h"
#include "ctokens.h"
#include "util.h"

#include <stddef.h>
#include <stdint.h>

/* The phases' functions have plain names (is_p, note, seed, ...): hidden, so that no shared
 * library can ever bind to them. */
#pragma GCC visibility push(hidden)

#define TK_PRAGMA 100            /* a #pragma or _Pragma: tk.id is its index */
#define MAX_EXPAND_DEPTH 32
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

/* ---- shared helpers (techniques.c) --------------------------------------------------- */

void *xrealloc(void *p, size_t n);
void tkv_push(struct tkv *v, const struct tk *t);
char *arena_alloc(struct det *d, size_t n);
int is_p(const struct tk *t, const char *s);
int is_id(const struct tk *t, const char *s);
int has_prefix(const struct tk *t, const char *s);
int contains(const struct tk *t, const char *s);
int is_open(const struct tk *t);
int is_close(const struct tk *t);
int is_assign(const struct tk *t);
const char *spell(const struct tk *t, char *buf, size_t len);
void note(struct det *d, int tech, int line, const char *fmt, ...) UTIL_PRINTF(4, 5);
int intern(struct det *d, const char *p, size_t n);
int intern_str(struct det *d, const char *s);

/* ---- preprocessing (tech_pp.c) -------------------------------------------------------- */

/* techniques_detect runs preprocess (d->src -> d->raw, directives gone), expand over d->raw
 * (-> d->out) and read_pragma_operators; d->out, sentinels after it, is the d->t of the rest. */
struct expand_ctx {
	int dis[MAX_EXPAND_DEPTH + 1];
	int ndis;
};

void preprocess(struct det *d);
void expand(struct det *d, const struct tk *s, size_t n, size_t pos, int line,
	    struct expand_ctx *x);
void read_pragma_operators(struct det *d);

/* ---- structure (tech_parse.c) --------------------------------------------------------- */

/* match_brackets, find_functions, find_loops, find_statements, find_calls, in this order, fill
 * the structure section of struct det; the rest serve the later phases. */
int budget(struct det *d, long cost);
void match_brackets(struct det *d);
int is_control(const struct tk *t);
int is_keyword_call(const struct tk *t);
void find_functions(struct det *d);
/* The value of a constant expression of numbers and constant names, or 0 with *ok = 0. */
long eval_const(struct det *d, size_t lo, size_t hi, int *ok);
void find_loops(struct det *d);
void find_statements(struct det *d);
void find_calls(struct det *d);

/* ---- data flow (tech_flow.c) ---------------------------------------------------------- */

/* for each top-level comma-separated part [plo, phi) of [lo, hi) */
#define FOR_PARTS(d, lo, hi, plo, phi)                                                   \
	for (size_t plo = (lo), phi = 0; plo < (hi); plo = phi + 1)                      \
		if (((phi = part_end((d), plo, (hi))), 1))

/* seed, then propagate, fill the (function, name) -> FROM_* map; the rest serve the rules. */
unsigned bits_of(struct det *d, int f, int id);
int add_bits(struct det *d, int f, int id, unsigned bits);
int binary_star(struct det *d, size_t i);
unsigned expr_bits(struct det *d, int f, size_t lo, size_t hi);
size_t assign_op(struct det *d, size_t lo, size_t hi);
int assigned_var(struct det *d, size_t lo, size_t op);
size_t part_end(struct det *d, size_t lo, size_t hi);
int store_base(struct det *d, size_t lo, size_t op);
int func_params(struct det *d, int id, int k, int *out, int max);
void propagate(struct det *d);
void seed(struct det *d);

/* ---- the rules (tech_rules.c) --------------------------------------------------------- */

/* Each sets bits of d->found through note(). Packing is in steps: find_copies, then (when it
 * found one) packed_back, a second propagate and packed_read. */
void rule_pragmas(struct det *d);
void rule_identifiers(struct det *d);
void rule_user(struct det *d);
void rule_cache_blocking(struct det *d);
void rule_register_blocking(struct det *d);
int find_copies(struct det *d, size_t *first);
void packed_back(struct det *d);
size_t packed_read(struct det *d);
void rule_unrolling(struct det *d);
void rule_loop_reorder(struct det *d);

#pragma GCC visibility pop

#endif
