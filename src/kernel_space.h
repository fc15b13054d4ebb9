/* kernel_space.h - a structured design space of DGEMM kernels (loop order, tiles, register
 * tile, threads, SIMD, unrolling, packing) that renders real C from templates/kernels/: the
 * action space of the built-in policy and the source of a labelled corpus. */
#ifndef PERFRL_KERNEL_SPACE_H
#define PERFRL_KERNEL_SPACE_H

#include "catalogue.h"

#include <stddef.h>

/* The factors, in the order a policy samples them (ks_allowed masks by earlier ones). */
enum ks_factor {
	KS_NEST,    /* the loop nest: ijk (dot products), ikj, kij (unit stride along j:
		     * loop_reorder), micro (GotoBLAS register tiles; needs a micro tile) */
	KS_TILE_M,  /* none, 32, 64, 128, 256: cache_blocking */
	KS_TILE_N,
	KS_TILE_K,
	KS_MICRO,   /* none, 2x4, 4x4, 4x8, 6x8 (MR x NR accumulators): register_blocking;
		     * none unless nest=micro, and only then something else */
	KS_OMP,     /* off, static, dynamic: openmp */
	KS_SIMD,    /* none, ompsimd, avx2: simd */
	KS_UNROLL,  /* 1, 2, 4: unrolling of the innermost (micro: the k) loop */
	KS_PACK,    /* off, on: packing */
	KS__COUNT
};

/* The choices of KS_NEST. */
enum { KS_NEST_IJK, KS_NEST_IKJ, KS_NEST_KIJ, KS_NEST_MICRO };

/* A design: one choice index per factor. */
struct ks_design {
	int c[KS__COUNT];
};

int ks_choices(enum ks_factor f);                    /* how many choices f has */
const char *ks_factor_name(enum ks_factor f);        /* "nest", "tile_m", ... */
const char *ks_choice_name(enum ks_factor f, int c); /* "ikj", "64", "4x8", "avx2", ...; NULL if out of range */

/* The techniques d uses by construction, as tests/techniques/LABELS.md defines them. */
techset_t ks_techniques(const struct ks_design *d);

/*
 * Masking for a policy that samples factors in order: sets allowed[c] (ks_choices(f)
 * entries) to 1 for each choice of f that, given partial's choices of the factors before f,
 * is valid and still leaves a complete valid design whose techniques are a subset of
 * permitted and a superset of required; 0 otherwise. Returns how many are allowed. The
 * plain i-j-k loop uses no technique, so with required = 0 every permitted set leaves one.
 */
int ks_allowed(enum ks_factor f, const struct ks_design *partial, techset_t permitted,
	       techset_t required, int *allowed);

/* 0 when d is a valid design; -1 with a one-line reason in err ("micro=4x8: a micro tile needs nest=micro"). */
int ks_check(const struct ks_design *d, char *err, size_t errlen);

/* The C source of d (malloc'd, deterministic), or NULL with the error reported (util_error):
 * an invalid design or an unreadable template. */
char *ks_render(const struct ks_design *d);

/* "nest=ikj tile_m=64 tile_n=none ..." (every factor, in order; truncated to len), and
 * back: words FACTOR=CHOICE separated by blanks or commas, any order, a factor left out
 * takes its first choice; the result is checked (ks_check). 0, or -1 with err. */
void ks_format(const struct ks_design *d, char *buf, size_t len);
int ks_parse(const char *s, struct ks_design *d, char *err, size_t errlen);

#endif
