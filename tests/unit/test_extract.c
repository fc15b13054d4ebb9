/* test_extract.c - extract_code() on recorded-style completions and on hostile input. */
#include "config.h"
#include "../lib/check.h"
#include "extract.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

static char *fixture(const char *name, size_t *len)
{
	const char *top = getenv("top_srcdir");
	char *path = util_xasprintf("%s/tests/completions/%s", top && *top ? top : ".", name);
	char *text = util_read_file(path, 0, len);
	if (!text)
		fprintf(stderr, "cannot read %s\n", path);
	free(path);
	return text;
}

/* LF to CRLF, as a completion from a Windows-side client would arrive. */
static char *to_crlf(const char *s, size_t *len)
{
	char *out = util_xmalloc(2 * strlen(s) + 1), *o = out;
	for (; *s; s++) {
		if (*s == '\n')
			*o++ = '\r';
		*o++ = *s;
	}
	*o = '\0';
	*len = (size_t)(o - out);
	return out;
}

/* Extract from text; want the code (byte for byte) or, with want NULL, the reason. */
static void expect(const char *label, const char *text, size_t len, const char *want,
		   const char *want_why)
{
	char *code = (char *)"unset";
	const char *why = "unset";
	int r = extract_code(text, len, &code, &why);

	if (want) {
		CHECK(r == 0);
		CHECK(why == NULL);
		if (r == 0) {
			CHECK_STR(code, want);
			if (!code || strcmp(code, want) != 0)
				fprintf(stderr, "  ... in case %s\n", label);
		}
	} else {
		CHECK(r == -1);
		CHECK(code == NULL);
		CHECK_STR(why, want_why);
		if (r != -1 || !why || strcmp(why, want_why) != 0)
			fprintf(stderr, "  ... in case %s\n", label);
	}
	if (r == 0)
		free(code);
}

static void expect_str(const char *label, const char *text, const char *want, const char *want_why)
{
	expect(label, text, strlen(text), want, want_why);
}

/* Fixtures: NAME.txt (or .c) against NAME.expected; a NULL expected file means -1. */
static void test_fixtures(void)
{
	static const struct {
		const char *input, *expected, *why;
	} cases[] = {
		{ "qwen_prose_block.txt", "qwen_prose_block.expected", NULL },
		{ "think_then_answer.txt", "think_then_answer.expected", NULL },
		{ "naive_then_final.txt", "naive_then_final.expected", NULL },
		{ "cpp_block.txt", "cpp_block.expected", NULL },
		{ "no_fences.txt", "no_fences.expected", NULL },
		{ "plain_file.c", "plain_file.c", NULL },
		{ "unclosed_fence.txt", "unclosed_fence.expected", NULL },
		{ "kernel_then_driver.txt", "kernel_then_driver.expected", NULL },
		{ "closing_think_only.txt", "closing_think_only.expected", NULL },
		{ "indented_list_fence.txt", "indented_list_fence.expected", NULL },
		{ "only_prose.txt", NULL, "no code found in the completion" },
		{ "think_unterminated.txt", NULL, "completion is only a <think> section" },
		{ "only_shell_block.txt", NULL, "no C code block in the completion" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		size_t len, wlen;
		char *text = fixture(cases[i].input, &len);
		char *want = cases[i].expected ? fixture(cases[i].expected, &wlen) : NULL;
		CHECK(text != NULL);
		CHECK(!cases[i].expected || want != NULL);
		if (text && (want || !cases[i].expected)) {
			expect(cases[i].input, text, len, want, cases[i].why);
			/* The same completion with CRLF line endings gives the same code, in CRLF. */
			if (want) {
				size_t clen, cwlen;
				char *crlf = to_crlf(text, &clen), *wcrlf = to_crlf(want, &cwlen);
				expect(cases[i].input, crlf, clen, wcrlf, NULL);
				free(crlf);
				free(wcrlf);
			}
		}
		free(text);
		free(want);
	}
}

static void test_fences(void)
{
	const char *k = "void dgemm(int m){ (void)m; }\n";
	char *t;

	expect_str("bare fence", "Code:\n```\nvoid dgemm(int m){ (void)m; }\n```\n", k, NULL);
	expect_str("upper C", "```C\nvoid dgemm(int m){ (void)m; }\n```", k, NULL);
	expect_str("c++", "```c++\nvoid dgemm(int m){ (void)m; }\n```\n", k, NULL);
	expect_str("h", "```h\nvoid dgemm(int m){ (void)m; }\n```\n", k, NULL);
	expect_str("c with title", "```c title=\"dgemm.c\"\nvoid dgemm(int m){ (void)m; }\n```\n",
		   k, NULL);
	expect_str("tildes", "~~~c\nvoid dgemm(int m){ (void)m; }\n~~~\n", k, NULL);
	expect_str("longer closing fence", "````c\nvoid dgemm(int m){ (void)m; }\n```\n`````\n",
		   "void dgemm(int m){ (void)m; }\n```\n", NULL);
	expect_str("empty block", "```c\n```\n", NULL, "no C code block in the completion");
	/* A python block that defines dgemm is not a candidate; the C block is. */
	expect_str("python loses",
		   "```python\ndef dgemm(a, b):\n    return a @ b\n```\n```c\nint helper(void);\n```\n",
		   "int helper(void);\n", NULL);
	/* No block mentions dgemm: the largest wins. */
	expect_str("largest", "```c\nint a;\n```\n```c\nint bigger_block;\n```\n```c\nint b;\n```\n",
		   "int bigger_block;\n", NULL);
	/* A prototype only (score 1) still beats a block without dgemm. */
	expect_str("prototype",
		   "```c\nvoid dgemm(int m);\n```\n```c\nint much_larger_block_of_code;\n```\n",
		   "void dgemm(int m);\n", NULL);
	/* Definitions win over a later block that only calls dgemm. */
	expect_str("definition beats call",
		   "```c\nvoid dgemm(int m)\n{\n}\n```\n```c\nint main(void) { dgemm(1); }\n```\n",
		   "void dgemm(int m)\n{\n}\n", NULL);
	/* dgemm as part of a longer name is not dgemm. */
	expect_str("my_dgemm", "```c\nvoid my_dgemm(int m) {}\nint x;\n```\n```c\nvoid dgemm(int m) {}\n```\n",
		   "void dgemm(int m) {}\n", NULL);
	/* A single-line ```c ... ``` is inline code, not a fence. */
	expect_str("inline triple backticks", "Use ```c int x;``` to declare.\n", NULL,
		   "no code found in the completion");
	/* Code beside a ```bash block, not fenced itself. */
	expect_str("bare code beside bash block",
		   "Kernel:\nvoid dgemm(int m)\n{\n}\nBuild:\n```bash\ngcc -c dgemm.c\n```\n",
		   "void dgemm(int m)\n{\n}\n", NULL);
	/* The think section's code never wins, even when the answer has no dgemm. */
	expect_str("think then plain",
		   "<think>```c\nvoid dgemm(int m) {}\n```</think>\n```c\nint answer;\n```\n",
		   "int answer;\n", NULL);
	expect_str("two think sections",
		   "<think>a</think>```c\nint one;\n```<think>```c\nvoid dgemm(int m) {}\n```</think>",
		   "int one;\n", NULL);
	expect_str("think only, closed", "<think>\n```c\nvoid dgemm(int m) {}\n```\n</think>\n\n",
		   NULL, "completion is only a <think> section");

	/* Many blocks, many unbalanced calls: linear, and the last definition wins. */
	t = util_xmalloc(200 * 1000 + 100);
	t[0] = '\0';
	for (int i = 0; i < 1000; i++)
		strcat(t, "```c\nvoid dgemm(int m) {}\n```\n```c\ndgemm( dgemm( dgemm(\n```\n");
	strcat(t, "```c\nvoid dgemm(int last) {}\n```\n");
	expect_str("many blocks", t, "void dgemm(int last) {}\n", NULL);
	free(t);
}

static void test_unfenced(void)
{
	expect_str("heading is prose",
		   "# Fast DGEMM\n\nint x;\nvoid dgemm(int m)\n{\n}\n\nDone.\n",
		   "int x;\nvoid dgemm(int m)\n{\n}\n", NULL);
	expect_str("endif after the last brace",
		   "Answer:\n#ifdef __AVX2__\nvoid dgemm(int m)\n{\n}\n#endif\n\nThat is all.\n",
		   "#ifdef __AVX2__\nvoid dgemm(int m)\n{\n}\n#endif\n", NULL);
	expect_str("no dgemm", "#include <math.h>\nint f(void) { return 1; }\n", NULL,
		   "no code found in the completion");
	expect_str("no brace", "#include <math.h>\nvoid dgemm(int m);\n", NULL,
		   "no code found in the completion");
	expect_str("capitalised prose", "Static blocking helps dgemm { a lot }.\n", NULL,
		   "no code found in the completion");
}

static void test_hostile(void)
{
	static const char nul_text[] = "```c\nvoid dgemm(int m) {}\n```\n\0```c\nvoid dgemm(int z) {}\n```\n";
	static const char *const pieces[] = {
		"```", "```c", "\n", "<think>", "</think>", "dgemm", "(", ")", "{", "}", "#include",
		"void ", " ", "\r\n", "~~~", "`", "int", "x", "\xff", "/*",
	};
	unsigned seed = 12345;
	char *code;
	const char *why;

	expect("empty", "", 0, NULL, "completion is empty");
	expect("blank", " \n\t\r\n", 5, NULL, "completion is empty");
	expect("NULL text", NULL, 0, NULL, "completion is empty");
	expect("NUL first", "\0void dgemm(int m) {}", 21, NULL, "completion is empty");
	/* The first NUL ends the text: the second block is never seen. */
	expect("NUL ends text", nul_text, sizeof nul_text - 1, "void dgemm(int m) {}\n", NULL);

	/* Random splices of the pieces that drive the parser: no crash, a sane answer. */
	for (int iter = 0; iter < 3000; iter++) {
		char buf[2048];
		size_t n = 0;
		int count = (int)((seed >> 8) % 60);
		for (int p = 0; p < count; p++) {
			const char *piece;
			size_t l;
			seed = seed * 1103515245u + 12345u;
			piece = pieces[(seed >> 16) % (sizeof pieces / sizeof *pieces)];
			l = strlen(piece);
			if (n + l >= sizeof buf)
				break;
			memcpy(buf + n, piece, l);
			n += l;
		}
		seed = seed * 1103515245u + 12345u;
		buf[n] = '\0';
		code = NULL;
		why = NULL;
		if (extract_code(buf, n, &code, &why) == 0) {
			if (!code || strlen(code) > n)
				CHECK(!"code longer than its completion");
			free(code);
		} else if (!why || code) {
			CHECK(!"failure without a reason");
		}
	}
	CHECK(1);

	/* Raw random bytes, NULs included. */
	for (int iter = 0; iter < 500; iter++) {
		char buf[512];
		for (size_t i = 0; i < sizeof buf; i++) {
			seed = seed * 1103515245u + 12345u;
			buf[i] = (char)(seed >> 16);
		}
		if (extract_code(buf, sizeof buf, &code, &why) == 0)
			free(code);
	}
	CHECK(1);

	/* Huge: 4 MB of one unclosed fence full of unbalanced calls. */
	{
		size_t n = 4u << 20;
		char *big = util_xmalloc(n + 1);
		memcpy(big, "```c\n", 5);
		for (size_t i = 5; i < n; i++)
			big[i] = "dgemm("[i % 6];
		big[n] = '\0';
		CHECK(extract_code(big, n, &code, &why) == 0);
		if (code)
			CHECK(strlen(code) == n - 5);
		free(code);
		free(big);
	}
}

int main(void)
{
	test_fixtures();
	test_fences();
	test_unfenced();
	test_hostile();
	return CHECK_DONE();
}
