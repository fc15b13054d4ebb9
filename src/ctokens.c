/* ctokens.c - a C lexer for the checks that read kernels: splices lines, drops comments,
 * and keeps the original line of every token. */
#include "config.h"
#include "ctokens.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int is_ident_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$' ||
	       c >= 0x80;
}

static int is_ident_char(int c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9');
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int is_hspace(int c)
{
	return c == ' ' || c == '\t' || c == '\f' || c == '\v';
}

/* strchr(set, c) without its match of the terminating NUL. */
static int in_set(int c, const char *set)
{
	return c != '\0' && strchr(set, c) != NULL;
}

static int span_is(const char *s, size_t n, const char *word)
{
	return strlen(word) == n && memcmp(s, word, n) == 0;
}

/* L"", u"", U"", u8"" and, in C23, u8'' */
static int is_encoding_prefix(const char *s, size_t n)
{
	return span_is(s, n, "L") || span_is(s, n, "u") || span_is(s, n, "U") ||
	       span_is(s, n, "u8");
}

static int is_raw_prefix(const char *s, size_t n)
{
	return span_is(s, n, "R") || span_is(s, n, "LR") || span_is(s, n, "uR") ||
	       span_is(s, n, "UR") || span_is(s, n, "u8R");
}

int ctok_is(const struct ctok *t, enum ctok_kind kind, const char *s)
{
	size_t n = strlen(s);
	if (t->kind != kind)
		return 0;
	if (kind == CTOK_PUNCT)
		return strcmp(t->punct, s) == 0;
	return t->n == n && memcmp(t->p, s, n) == 0;
}

static int fail(char *why, size_t whylen, const char *msg)
{
	if (why && whylen)
		snprintf(why, whylen, "%s", msg);
	return -1;
}

/* Where the splices were: a splice at output offset q puts what follows on a later line. */
struct lines {
	size_t *at;
	size_t n, cap;
	size_t pos, next; /* the scan so far: text[0..pos) and at[0..next) are counted */
	int line;
};

/*
 * Translation phases 1-2: every line ending becomes '\n' (a lone CR counts as one, as
 * it may for the compiler) and backslash-newline splices go, so `#inc\<nl>lude` and a
 * `//` comment continued onto the next line read as the compiler reads them. GCC also
 * splices when blanks sit between the backslash and the newline; so do we.
 */
static char *splice(const char *src, size_t len, size_t *outlen, struct lines *ln)
{
	char *t = util_xmalloc(len + 1), *out = util_xmalloc(len + 1);
	size_t n = 0, o = 0;

	for (size_t i = 0; i < len; i++) {
		if (src[i] == '\r') {
			t[n++] = '\n';
			if (i + 1 < len && src[i + 1] == '\n')
				i++;
		} else {
			t[n++] = src[i];
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (t[i] == '\\') {
			size_t j = i + 1;
			while (j < n && is_hspace((unsigned char)t[j]))
				j++;
			if (j < n && t[j] == '\n') {
				if (ln->n == ln->cap) {
					ln->cap = ln->cap ? 2 * ln->cap : 16;
					ln->at = realloc(ln->at, ln->cap * sizeof *ln->at);
					if (!ln->at)
						abort();
				}
				ln->at[ln->n++] = o;
				i = j;
				continue;
			}
		}
		out[o++] = t[i];
	}
	free(t);
	out[o] = '\0';
	*outlen = o;
	return out;
}

/* The original line of offset pos; pos never goes back. */
static int line_at(struct lines *ln, const char *s, size_t pos)
{
	for (; ln->pos < pos; ln->pos++)
		if (s[ln->pos] == '\n')
			ln->line++;
	for (; ln->next < ln->n && ln->at[ln->next] <= pos; ln->next++)
		ln->line++;
	return ln->line;
}

static const struct {
	const char *spelling, *means;
} puncts[] = {
	{ "%:%:", "##" }, { "...", "..." }, { "->", "->" }, { "##", "##" }, { "%:", "#" },
	{ "<:", "[" },    { ":>", "]" },    { "<%", "{" },  { "%>", "}" },
};

/*
 * Phase 3: comments vanish, literals become single tokens. Inputs the compiler might
 * read two ways are refused rather than guessed: raw strings (GCC's gnu modes only)
 * and C23 digit separators (1'000) would each hide code from one reading or the other.
 */
static int lex(const char *s, size_t n, struct lines *ln, struct ctok *toks, size_t *ntok,
	       char *why, size_t whylen)
{
	size_t i = 0, nt = 0;
	int bol = 1, hdr = 0; /* hdr: 1 after a directive's '#', 2 after #include and kin */

	while (i < n) {
		struct ctok *t = &toks[nt];
		unsigned char c = (unsigned char)s[i];

		if (c == '\n') {
			memset(t, 0, sizeof *t);
			t->kind = CTOK_NEWLINE;
			t->line = line_at(ln, s, i);
			t->p = s + i++;
			t->n = 1;
			nt++;
			bol = 1;
			hdr = 0;
			continue;
		}
		if (is_hspace(c)) {
			i++;
			continue;
		}
		if (c == '/' && i + 1 < n && s[i + 1] == '/') {
			while (i < n && s[i] != '\n')
				i++;
			continue;
		}
		if (c == '/' && i + 1 < n && s[i + 1] == '*') {
			const char *e = memmem(s + i + 2, n - i - 2, "*/", 2);
			size_t stop = e ? (size_t)(e - s) + 2 : n;
			/* A '#' after a comment that spans lines is read as a directive, whichever
			 * way the compiler reads it: the include and pragma rules then apply. */
			if (memchr(s + i, '\n', stop - i)) {
				bol = 1;
				hdr = hdr > 0 ? hdr : 0; /* inside a directive the comment is a blank */
			}
			i = stop;
			continue;
		}
		memset(t, 0, sizeof *t);
		t->bol = (unsigned)bol;
		t->line = line_at(ln, s, i);
		t->p = s + i;
		if (hdr == 2 && c == '<') {
			t->kind = CTOK_HEADER;
			for (i++; i < n && s[i] != '>' && s[i] != '\n'; i++)
				;
			t->closed = i < n && s[i] == '>';
			if (t->closed)
				i++;
		} else if (c == '"' || c == '\'' || is_ident_start(c)) {
			size_t j = i;
			while (j < n && is_ident_char((unsigned char)s[j]))
				j++;
			if (j < n && s[j] == '"' && is_raw_prefix(s + i, j - i))
				return fail(why, whylen, "raw string literals are not allowed");
			if (j < n && (s[j] == '"' || s[j] == '\'') && is_encoding_prefix(s + i, j - i))
				i = j; /* the literal follows its prefix */
			if (i < n && (s[i] == '"' || s[i] == '\'')) {
				char q = s[i];
				t->kind = CTOK_STRING;
				for (i++; i < n && s[i] != q && s[i] != '\n'; i++)
					if (s[i] == '\\' && i + 1 < n && s[i + 1] != '\n')
						i++;
				/* Unterminated, it ends at the line's end, as GCC's lexer has it. */
				t->closed = i < n && s[i] == q;
				if (t->closed)
					i++;
			} else {
				t->kind = CTOK_IDENT;
				i = j;
			}
		} else if (is_digit(c) || (c == '.' && i + 1 < n && is_digit((unsigned char)s[i + 1]))) {
			t->kind = CTOK_NUMBER;
			for (i++; i < n; i++) {
				if (in_set(s[i], "eEpP") && i + 1 < n && in_set(s[i + 1], "+-"))
					i++;
				else if (!is_ident_char((unsigned char)s[i]) && s[i] != '.')
					break;
			}
			if (i < n && s[i] == '\'')
				return fail(why, whylen, "digit separators are not allowed");
		} else {
			size_t k, l = 1;
			t->kind = CTOK_PUNCT;
			t->punct[0] = (char)c;
			for (k = 0; k < sizeof puncts / sizeof *puncts; k++) {
				l = strlen(puncts[k].spelling);
				if (l <= n - i && memcmp(s + i, puncts[k].spelling, l) == 0) {
					strcpy(t->punct, puncts[k].means);
					break;
				}
			}
			i += k < sizeof puncts / sizeof *puncts ? l : 1;
		}
		t->n = (size_t)(s + i - t->p);
		if (hdr == 0 && bol && ctok_is(t, CTOK_PUNCT, "#"))
			hdr = 1;
		else if (hdr == 1 && t->kind == CTOK_IDENT &&
			 (ctok_is(t, CTOK_IDENT, "include") || ctok_is(t, CTOK_IDENT, "include_next") ||
			  ctok_is(t, CTOK_IDENT, "import") || ctok_is(t, CTOK_IDENT, "embed")))
			hdr = 2;
		else
			hdr = -1;
		bol = 0;
		nt++;
	}
	memset(&toks[nt], 0, sizeof toks[nt]);
	toks[nt].kind = CTOK_EOF;
	toks[nt].line = line_at(ln, s, n);
	toks[nt].p = s + n;
	*ntok = nt;
	return 0;
}

int ctokens_lex(const char *src, size_t len, struct ctokens *out, char *why, size_t whylen)
{
	struct lines ln = { NULL, 0, 0, 0, 0, 1 };
	size_t n, nt;
	char *s = splice(src ? src : "", src ? len : 0, &n, &ln);
	/* Each token takes at least one byte; one more for CTOK_EOF. */
	struct ctok *toks = util_xmalloc((n + 1) * sizeof *toks);

	memset(out, 0, sizeof *out);
	if (why && whylen)
		why[0] = '\0';
	if (lex(s, n, &ln, toks, &nt, why, whylen) < 0) {
		free(ln.at);
		free(toks);
		free(s);
		return -1;
	}
	free(ln.at);
	out->text = s;
	out->len = n;
	out->tok = toks;
	out->count = nt;
	return 0;
}

void ctokens_free(struct ctokens *t)
{
	if (!t)
		return;
	free(t->tok);
	free(t->text);
	memset(t, 0, sizeof *t);
}
