/* extract.c - pull the C translation unit out of a raw model completion. */
#include "config.h"
#include "extract.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* A parameter list longer than this is not a definition we want to see; the cap keeps a
 * completion full of unbalanced "dgemm(" linear rather than quadratic. */
#define PARAMS_MAX 8192

/* Our own character classes: <ctype.h> depends on the locale and on signedness. */
static int is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

static int is_ident(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '$';
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int all_space(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_space((unsigned char)s[i]))
			return 0;
	return 1;
}

/* End of the line that starts at i: the index of its '\n', or n. */
static size_t line_end(const char *s, size_t n, size_t i)
{
	const char *nl = memchr(s + i, '\n', n - i);
	return nl ? (size_t)(nl - s) : n;
}

static size_t next_line(const char *s, size_t n, size_t i)
{
	size_t e = line_end(s, n, i);
	return e < n ? e + 1 : n;
}

/* ---- <think> sections ------------------------------------------------------------ */

/*
 * Copy text without its reasoning. Code inside reasoning is a draft, never the answer.
 * A leading "</think>" with no opening tag is the R1/Qwen3 shape, where the chat
 * template put "<think>" in the prompt: everything before it is reasoning too.
 */
static char *strip_think(const char *text, size_t len, size_t *outlen, int *had_think)
{
	static const char open[] = "<think>", close[] = "</think>";
	const size_t ol = sizeof open - 1, cl = sizeof close - 1;
	char *out = util_xmalloc(len + 1);
	size_t i = 0, o = 0;
	const char *first_open = memmem(text, len, open, ol);
	const char *first_close = memmem(text, len, close, cl);

	*had_think = first_open || first_close;
	if (first_close && (!first_open || first_close < first_open))
		i = (size_t)(first_close - text) + cl;
	while (i < len) {
		const char *p = memmem(text + i, len - i, open, ol);
		size_t stop = p ? (size_t)(p - text) : len;
		memcpy(out + o, text + i, stop - i);
		o += stop - i;
		if (!p)
			break;
		p = memmem(text + stop + ol, len - stop - ol, close, cl);
		if (!p)
			break; /* an unterminated <think> swallows the rest */
		i = (size_t)(p - text) + cl;
	}
	out[o] = '\0';
	*outlen = o;
	return out;
}

/* ---- markdown fences ------------------------------------------------------------- */

struct block {
	size_t begin, end; /* content: from the line after the opening fence to the closing one */
	size_t after;      /* first byte after the closing fence line (or n) */
	size_t fence;      /* start of the opening fence line */
	size_t indent;     /* spaces before the opening fence, removed from content lines */
	int c_like;        /* labelled as C, or not labelled at all */
};

/*
 * Is the line [i, e) a fence? Sets its character, run length, indentation and the
 * info string. Any indentation is accepted: models indent fences inside list items.
 */
static int fence_line(const char *s, size_t i, size_t e, char *ch, size_t *run, size_t *indent,
		      size_t *info, size_t *info_end)
{
	size_t j = i, k;
	while (j < e && (s[j] == ' ' || s[j] == '\t'))
		j++;
	if (j >= e || (s[j] != '`' && s[j] != '~'))
		return 0;
	for (k = j; k < e && s[k] == s[j]; k++)
		;
	if (k - j < 3)
		return 0;
	*ch = s[j];
	*run = k - j;
	*indent = j - i;
	while (k < e && (s[k] == ' ' || s[k] == '\t'))
		k++;
	*info = k;
	while (e > k && is_space((unsigned char)s[e - 1]))
		e--;
	*info_end = e;
	/* CommonMark: a backtick fence's info string has no backticks ("```c x```" is inline). */
	if (*ch == '`' && memchr(s + k, '`', e - k))
		return 0;
	return 1;
}

/* A label names a language; only C and its relatives (and no label) may hold the kernel. */
static int label_is_c(const char *s, size_t n)
{
	static const char *const c_labels[] = {
		"c", "h", "cpp", "c++", "cc", "cxx", "hpp", "hxx", "c99", "c11", "c17", "c18", "c23",
	};
	char word[16];
	size_t w = 0;

	while (n && (*s == '{' || *s == '.')) { /* ```{c} and ```{.c} */
		s++;
		n--;
	}
	while (w < n && !is_space((unsigned char)s[w]) && !strchr("{}:,;", s[w])) {
		if (w + 1 >= sizeof word)
			return 0;
		word[w] = (char)lower((unsigned char)s[w]);
		w++;
	}
	word[w] = '\0';
	if (w == 0)
		return 1;
	for (size_t i = 0; i < sizeof c_labels / sizeof *c_labels; i++)
		if (strcmp(word, c_labels[i]) == 0)
			return 1;
	return 0;
}

/* The next fenced block at or after *pos; an unclosed one runs to the end of the text. */
static int next_block(const char *s, size_t n, size_t *pos, struct block *b)
{
	size_t i = *pos;
	while (i < n) {
		size_t e = line_end(s, n, i), run, indent, info, info_end;
		char ch;
		if (!fence_line(s, i, e, &ch, &run, &indent, &info, &info_end)) {
			i = next_line(s, n, i);
			continue;
		}
		b->fence = i;
		b->indent = indent;
		b->c_like = label_is_c(s + info, info_end - info);
		b->begin = b->end = b->after = next_line(s, n, i);
		for (i = b->begin; i < n; i = next_line(s, n, i)) {
			size_t ce = line_end(s, n, i), crun, cind, cinfo, cinfo_end;
			char cch;
			if (fence_line(s, i, ce, &cch, &crun, &cind, &cinfo, &cinfo_end) && cch == ch &&
			    crun >= run && cinfo == cinfo_end) {
				b->end = i;
				b->after = next_line(s, n, i);
				*pos = b->after;
				return 1;
			}
		}
		b->end = b->after = n;
		*pos = n;
		return 1;
	}
	*pos = n;
	return 0;
}

/* ---- choosing a block ------------------------------------------------------------ */

/*
 * 2: the block defines dgemm (`dgemm (...) {`); 1: it only mentions `dgemm(`, as a
 * prototype, a call in a test driver or a truncated definition; 0: neither. Telling a
 * definition from a call keeps a trailing `int main` driver from beating the kernel.
 */
static int dgemm_score(const char *s, size_t n)
{
	int score = 0;
	for (size_t i = 0; i + 5 <= n; i++) {
		size_t j, depth = 0;
		if (s[i] != 'd' || memcmp(s + i, "dgemm", 5) != 0)
			continue;
		if ((i > 0 && is_ident((unsigned char)s[i - 1])) ||
		    (i + 5 < n && is_ident((unsigned char)s[i + 5])))
			continue;
		for (j = i + 5; j < n && is_space((unsigned char)s[j]); j++)
			;
		if (j >= n || s[j] != '(')
			continue;
		score = 1;
		for (size_t stop = j + PARAMS_MAX < n ? j + PARAMS_MAX : n; j < stop; j++) {
			if (s[j] == '(')
				depth++;
			else if (s[j] == ')' && --depth == 0)
				break;
		}
		if (j >= n || s[j] != ')')
			continue;
		for (j++; j < n && is_space((unsigned char)s[j]); j++)
			;
		if (j < n && s[j] == '{')
			return 2;
	}
	return score;
}

/* Content of a block, with the fence's indentation taken off each line. */
static char *block_text(const char *s, const struct block *b)
{
	char *out = util_xmalloc(b->end - b->begin + 1);
	size_t o = 0, i = b->begin;
	while (i < b->end) {
		size_t e = line_end(s, b->end, i), k = 0;
		while (k < b->indent && i < e && (s[i] == ' ' || s[i] == '\t')) {
			i++;
			k++;
		}
		e = e < b->end ? e + 1 : e;
		memcpy(out + o, s + i, e - i);
		o += e - i;
		i = e;
	}
	out[o] = '\0';
	return out;
}

/* ---- no fences: text that looks like C -------------------------------------------- */

static int starts_word(const char *s, size_t n, const char *w)
{
	size_t l = strlen(w);
	return n >= l && memcmp(s, w, l) == 0 && (n == l || !is_ident((unsigned char)s[l]));
}

/* Does the line [i, e) start C code? Words are lowercase: prose starts with capitals. */
static int c_start_line(const char *s, size_t i, size_t e)
{
	static const char *const words[] = {
		"void", "static", "typedef", "int", "double", "float", "const", "inline", "extern",
		"struct", "enum", "union", "unsigned", "signed", "long", "short", "char", "size_t",
		"__attribute__", "_Static_assert",
	};
	static const char *const directives[] = {
		"include", "define", "pragma", "if", "ifdef", "ifndef", "undef",
	};
	while (i < e && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (e - i >= 2 && s[i] == '/' && (s[i + 1] == '*' || s[i + 1] == '/'))
		return 1;
	if (i < e && s[i] == '#') {
		/* "#include", not a markdown heading like "# Optimised DGEMM". */
		for (i++; i < e && (s[i] == ' ' || s[i] == '\t'); i++)
			;
		for (size_t k = 0; k < sizeof directives / sizeof *directives; k++)
			if (starts_word(s + i, e - i, directives[k]))
				return 1;
		return 0;
	}
	for (size_t k = 0; k < sizeof words / sizeof *words; k++)
		if (starts_word(s + i, e - i, words[k]))
			return 1;
	return 0;
}

/* Lines that may follow the last '}' of a file: "#endif", comments, declarations. */
static int c_tail_line(const char *s, size_t i, size_t e)
{
	while (i < e && is_space((unsigned char)s[i]))
		i++;
	while (e > i && is_space((unsigned char)s[e - 1]))
		e--;
	if (i == e)
		return 1;
	if (s[i] == '#' || (e - i >= 2 && s[i] == '/' && (s[i + 1] == '/' || s[i + 1] == '*')))
		return 1;
	return s[i] == '*' || s[e - 1] == ';';
}

/*
 * From the first line that starts C code to the last closing brace (and the directives
 * or comments right after it). Surrounding whitespace is kept so that a plain .c file
 * comes back byte for byte.
 */
static int find_unfenced(const char *s, size_t n, size_t *start, size_t *end)
{
	size_t i, b, last_tail;

	for (i = 0; i < n; i = next_line(s, n, i))
		if (c_start_line(s, i, line_end(s, n, i)))
			break;
	if (i >= n || !memmem(s + i, n - i, "dgemm", 5))
		return 0;
	for (b = n; b > i && s[b - 1] != '}'; b--)
		;
	if (b == i)
		return 0;
	*start = all_space(s, i) ? 0 : i;
	last_tail = next_line(s, n, b - 1);
	for (size_t j = last_tail; j < n; j = next_line(s, n, j)) {
		size_t e = line_end(s, n, j);
		if (!c_tail_line(s, j, e))
			break;
		if (!all_space(s + j, e - j))
			last_tail = next_line(s, n, j);
	}
	*end = all_space(s + last_tail, n - last_tail) ? n : last_tail;
	return 1;
}

static char *copy_span(const char *s, size_t a, size_t b)
{
	char *out = util_xmalloc(b - a + 1);
	memcpy(out, s + a, b - a);
	out[b - a] = '\0';
	return out;
}

/* The text outside every fenced block: for code pasted bare beside, say, a ```bash block. */
static char *outside_fences(const char *s, size_t n, size_t *outlen)
{
	char *out = util_xmalloc(n + 1);
	size_t o = 0, i = 0, pos = 0;
	struct block b;
	while (next_block(s, n, &pos, &b)) {
		memcpy(out + o, s + i, b.fence - i);
		o += b.fence - i;
		i = b.after;
	}
	memcpy(out + o, s + i, n - i);
	o += n - i;
	out[o] = '\0';
	*outlen = o;
	return out;
}

int extract_code(const char *text, size_t len, char **code, const char **why)
{
	size_t n, pos = 0, start, end;
	int had_think, any_fence = 0, best_score = -1;
	struct block b, best = { 0 };
	char *buf;

	*code = NULL;
	*why = NULL;
	if (!text)
		len = 0;
	len = len ? strnlen(text, len) : 0; /* a NUL ends the text */
	if (all_space(text, len)) {
		*why = "completion is empty";
		return -1;
	}
	buf = strip_think(text, len, &n, &had_think);
	if (all_space(buf, n)) {
		free(buf);
		*why = "completion is only a <think> section";
		return -1;
	}

	while (next_block(buf, n, &pos, &b)) {
		int score;
		any_fence = 1;
		if (!b.c_like || all_space(buf + b.begin, b.end - b.begin))
			continue;
		score = dgemm_score(buf + b.begin, b.end - b.begin);
		/* The final answer comes last; without dgemm anywhere, the most code wins. */
		if (score > best_score ||
		    (score == best_score && (score > 0 || b.end - b.begin >= best.end - best.begin))) {
			best = b;
			best_score = score;
		}
	}
	if (best_score >= 0) {
		*code = block_text(buf, &best);
		free(buf);
		return 0;
	}
	if (any_fence) {
		char *rest = outside_fences(buf, n, &n);
		free(buf);
		buf = rest;
	}
	if (find_unfenced(buf, n, &start, &end)) {
		*code = copy_span(buf, start, end);
		free(buf);
		return 0;
	}
	free(buf);
	*why = any_fence ? "no C code block in the completion" : "no code found in the completion";
	return -1;
}
