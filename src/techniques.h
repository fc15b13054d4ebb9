/* techniques.h - detect the optimisation techniques of a CPU DGEMM kernel from its tokens
 * (techniques.c and its phases, tech_*.c). The techniques themselves: catalogue.h. */
#ifndef PERFRL_TECHNIQUES_H
#define PERFRL_TECHNIQUES_H

#include "catalogue.h"

#include <stddef.h>

/* Why a technique was detected: the first place, for `perfrl techniques --explain`. */
struct tech_evidence {
	int line;        /* 1-based line of the source; 0: not found */
	char what[80];   /* "#pragma omp parallel for", "loop ii steps by 64 over a tile", ... */
};

/*
 * Detect the techniques src uses (len bytes of one C translation unit, after extraction).
 * Works on tokens after splicing lines and removing comments and string literals, with the
 * loop nest understood: formatting, comments, strings and misleading names do not count.
 * evidence may be NULL, else TECH_MAX entries. 0 with *found set, or -1 with a one-line
 * reason in why when the source cannot be tokenised.
 */
int techniques_detect(const struct catalogue *c, const char *src, size_t len, techset_t *found,
		      struct tech_evidence *evidence, char *why, size_t whylen);

#endif
