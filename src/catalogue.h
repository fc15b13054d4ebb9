/* catalogue.h - the optimisation techniques of a CPU DGEMM kernel: a catalogue (built-in,
 * extended from stages.lua), sets of them by name, and the compliance rule (catalogue.c).
 * Detecting them in a kernel: techniques.h. */
#ifndef PERFRL_CATALOGUE_H
#define PERFRL_CATALOGUE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define TECH_MAX 32          /* techniques in one catalogue, built-ins included */
#define TECH_NAME_MAX 32     /* a name: [a-z][a-z0-9_]*, shorter than this */

/* A set of techniques: bit i is the catalogue's technique i. */
typedef uint32_t techset_t;

/* The built-ins, always the first entries and in this order. */
enum {
	TECH_OPENMP,            /* threads: #pragma omp parallel / for / task, omp_* calls */
	TECH_SIMD,              /* intrinsics, #pragma omp simd, vector extensions */
	TECH_CACHE_BLOCKING,    /* loop tiling: loops that step by a tile and inner loops over it */
	TECH_REGISTER_BLOCKING, /* a micro-kernel keeping a block of C in registers (unroll-and-jam) */
	TECH_PACKING,           /* copying panels of A or B into contiguous buffers */
	TECH_UNROLLING,         /* manual unrolling or #pragma GCC unroll */
	TECH_PREFETCH,          /* __builtin_prefetch, _mm_prefetch */
	TECH_LOOP_REORDER,      /* loop interchange so the innermost loop has unit stride */
	TECH__BUILTIN
};

struct catalogue;

/* A catalogue of the built-ins. Never NULL (aborts on out of memory). */
struct catalogue *catalogue_new(void);
void catalogue_free(struct catalogue *c);
int catalogue_count(const struct catalogue *c);
/* The index of name, or -1. */
int catalogue_find(const struct catalogue *c, const char *name);
const char *catalogue_name(const struct catalogue *c, int i);
const char *catalogue_description(const struct catalogue *c, int i);
/* 1 for a technique added by catalogue_add, 0 for a built-in. */
int catalogue_is_user(const struct catalogue *c, int i);
/* A user technique's rules (NULL-terminated; an empty list for a built-in). */
const char *const *catalogue_identifiers(const struct catalogue *c, int i);
const char *const *catalogue_pragmas(const struct catalogue *c, int i);

/*
 * Add a user technique, or give a built-in a new description (then identifiers and pragmas
 * must be NULL or empty). A user technique is detected when one of its identifiers occurs as
 * an identifier token of the code (a trailing '*' makes it a prefix: "_mm512_*"), or when a
 * #pragma (or _Pragma) starts with one of its pragmas, compared token by token ("omp task").
 * NULL-terminated lists. 0, or -1 with a one-line reason in err (bad or duplicate name, no
 * rule, a full catalogue).
 */
int catalogue_add(struct catalogue *c, const char *name, const char *description,
		  const char *const *identifiers, const char *const *pragmas, char *err,
		  size_t errlen);

/* The catalogue as JSON, so that the CPU step detects what the orchestrator's Lua defined:
 * an array of {name, description[, identifiers, pragmas]} (rules for user techniques only).
 * catalogue_load_json adds the entries of such an array to c (built-ins: descriptions). */
json_t *catalogue_json(const struct catalogue *c);
int catalogue_load_json(struct catalogue *c, json_t *arr, char *err, size_t errlen);

/* Sets and names. */
json_t *techset_json(const struct catalogue *c, techset_t s); /* array of names, catalogue order */
/* An array of names (NULL: the empty set). -1 with err naming an unknown technique. */
int techset_from_json(const struct catalogue *c, json_t *arr, techset_t *out, char *err,
		      size_t errlen);
/* "openmp+simd", or "none" for the empty set; truncated to len. */
void techset_format(const struct catalogue *c, techset_t s, char *buf, size_t len);
/* The inverse of techset_format ('+' or ',' between names; "none" or "" is empty). */
int techset_parse(const struct catalogue *c, const char *text, techset_t *out, char *err,
		  size_t errlen);

/*
 * The compliance rule: every technique used must be permitted, and every required one used.
 * 0 when it complies; -1 with a reason ("uses simd, which is not permitted here (permitted:
 * openmp, loop_reorder)" or "does not use the required technique openmp") otherwise.
 */
int techniques_comply(const struct catalogue *c, techset_t used, techset_t permitted,
		      techset_t required, char *why, size_t whylen);

#endif
