/* ctokens.h - a C lexer for the checks that read kernels: splices lines, drops comments,
 * and keeps the original line of every token. */
#ifndef PERFRL_CTOKENS_H
#define PERFRL_CTOKENS_H

#include <stddef.h>

enum ctok_kind { CTOK_EOF, CTOK_NEWLINE, CTOK_IDENT, CTOK_NUMBER, CTOK_STRING, CTOK_HEADER, CTOK_PUNCT };

struct ctok {
	enum ctok_kind kind;
	unsigned bol : 1;    /* first on its line: a '#' here starts a directive */
	unsigned closed : 1; /* CTOK_STRING, CTOK_HEADER: the closing delimiter was there */
	int line;            /* 1-based line of the original source */
	const char *p;       /* spelling in the spliced text (a string keeps its quotes) */
	size_t n;
	char punct[4];       /* CTOK_PUNCT, digraphs spelled as what they mean */
};

struct ctokens {
	char *text;      /* the source after phases 1-2 (line endings, splices) */
	size_t len;
	struct ctok *tok; /* count tokens, then one CTOK_EOF */
	size_t count;
};

/*
 * Tokenise len bytes of src (translation phases 1-3): lines end in '\n', backslash-newline
 * splices go, comments vanish, a '\n' is a CTOK_NEWLINE token, literals are single tokens
 * and a <name> after #include (and kin) is one CTOK_HEADER. Spellings the compiler may read
 * two ways (raw strings, C23 digit separators) are refused. 0 with *out filled, or -1 with
 * a one-line reason in why (why may be NULL) and *out empty.
 */
int ctokens_lex(const char *src, size_t len, struct ctokens *out, char *why, size_t whylen);
void ctokens_free(struct ctokens *t);

/* Is t of this kind and spelled s (for CTOK_PUNCT: meaning s)? */
int ctok_is(const struct ctok *t, enum ctok_kind kind, const char *s);

#endif
