/* test_prompt.c - SQD prompts: what they state, and that they are the same every time. */
#include "config.h"
#include "catalogue.h"
#include "../lib/check.h"
#include "prompt.h"

#include <stdlib.h>
#include <string.h>

static int has(const char *s, const char *sub)
{
	return s && strstr(s, sub) != NULL;
}

int main(void)
{
	struct catalogue *c = catalogue_new();
	struct stage_problem p = {.id = "p00", .shape = "96x96x96"};
	struct prompt_elite e = {.source = "void dgemm(void) {}\n", .techs = "openmp", .gflops = 12.5};
	char *a, *b, err[200];
	const char *const ids[] = {"_mm512_*", NULL};

	p.permitted = 1u << TECH_OPENMP | 1u << TECH_LOOP_REORDER;
	a = prompt_render(c, &p, NULL);
	b = prompt_render(c, &p, NULL);
	CHECK(a && b && !strcmp(a, b)); /* deterministic */
	CHECK(has(a, "void dgemm(int m, int n, int k")); /* the contract */
	CHECK(has(a, "m x n x k = 96x96x96"));
	CHECK(has(a, "- openmp: thread parallelism"));
	CHECK(has(a, "- loop_reorder: "));
	CHECK(!has(a, "- simd:"));                       /* not permitted: not described */
	CHECK(has(a, "not permitted here: simd, cache_blocking, register_blocking, packing, "
		     "unrolling, prefetch)"));
	CHECK(!has(a, "requires"));
	CHECK(!has(a, "fastest kernel found so far"));
	CHECK(has(a, "```c fenced code block"));
	CHECK(!has(a, "@")); /* every placeholder filled */
	free(a);
	free(b);

	/* Required techniques are listed with their descriptions. */
	p.required = 1u << TECH_OPENMP;
	a = prompt_render(c, &p, NULL);
	CHECK(has(a, "and it requires:\n- openmp: "));
	free(a);

	/* The elite is quoted whole, with its speed and techniques. */
	a = prompt_render(c, &p, &e);
	CHECK(has(a, "(12.50 GFLOPS, using: openmp)"));
	CHECK(has(a, "```c\nvoid dgemm(void) {}\n```"));
	free(a);

	/* The compact template: the names, the required note, the seed kernel or the elite. */
	p.permitted = 1u << TECH_OPENMP | 1u << TECH_LOOP_REORDER;
	p.required = 0;
	a = prompt_render_template("templates/prompt-compact.txt", c, &p, NULL);
	CHECK_STR(a, "Make this C kernel faster for shape 96x96x96, using only: openmp, loop_reorder.\n"
		     "```c\nvoid dgemm(int m, int n, int k, const double *A, const double *B, double *C)\n"
		     "{\n\tfor (int i = 0; i < m; i++)\n\t\tfor (int j = 0; j < n; j++) {\n"
		     "\t\t\tdouble sum = 0.0;\n\t\t\tfor (int p = 0; p < k; p++)\n"
		     "\t\t\t\tsum += A[i * k + p] * B[p * n + j];\n\t\t\tC[i * n + j] = sum;\n\t\t}\n}\n"
		     "```\n");
	free(a);
	p.required = 1u << TECH_OPENMP;
	a = prompt_render_template("templates/prompt-compact.txt", c, &p, &e);
	CHECK(has(a, "using only: openmp, loop_reorder. It must use: openmp.\n```c\nvoid dgemm(void) {}\n```\n"));
	free(a);
	CHECK(prompt_render_template("templates/no-such-template.txt", c, &p, NULL) == NULL);

	/* Nothing permitted: said plainly; a user technique appears with its description. */
	CHECK(catalogue_add(c, "avx512", "AVX-512 intrinsics", ids, NULL, err, sizeof err) == 0);
	p.permitted = 1u << catalogue_find(c, "avx512");
	p.required = 0;
	a = prompt_render(c, &p, NULL);
	CHECK(has(a, "- avx512: AVX-512 intrinsics"));
	CHECK(has(a, "not permitted here: openmp, simd"));
	free(a);
	p.permitted = 0;
	a = prompt_render(c, &p, NULL);
	CHECK(has(a, "- none: plain C loops"));
	free(a);

	/* Compliance: the rule and its messages. */
	{
		techset_t perm = 1u << TECH_OPENMP, req = 1u << TECH_OPENMP;
		CHECK(techniques_comply(c, 1u << TECH_OPENMP, perm, req, err, sizeof err) == 0);
		CHECK(techniques_comply(c, 0, perm, 0, err, sizeof err) == 0); /* using less is fine */
		CHECK(techniques_comply(c, 1u << TECH_SIMD | 1u << TECH_OPENMP, perm, req, err,
					sizeof err) == -1);
		CHECK_STR(err, "uses simd, which is not permitted here (permitted: openmp)");
		CHECK(techniques_comply(c, 0, perm, req, err, sizeof err) == -1);
		CHECK_STR(err, "does not use the required technique openmp");
		CHECK(techniques_comply(c, 1u << TECH_SIMD | 1u << TECH_PACKING, 0, 0, err, sizeof err) == -1);
		CHECK_STR(err, "uses simd, packing, which are not permitted here (permitted: none)");
	}
	/* Sets by name. */
	{
		techset_t s;
		char buf[200];
		CHECK(techset_parse(c, "openmp+simd", &s, err, sizeof err) == 0);
		CHECK(s == (1u << TECH_OPENMP | 1u << TECH_SIMD));
		techset_format(c, s, buf, sizeof buf);
		CHECK_STR(buf, "openmp+simd");
		CHECK(techset_parse(c, "none", &s, err, sizeof err) == 0 && s == 0);
		techset_format(c, 0, buf, sizeof buf);
		CHECK_STR(buf, "none");
		CHECK(techset_parse(c, "openmp+simdd", &s, err, sizeof err) == -1);
		CHECK_STR(err, "unknown technique 'simdd'");
		CHECK(catalogue_add(c, "openmp", "threads", ids, NULL, err, sizeof err) == -1);
		CHECK(catalogue_add(c, "Bad-Name", "x", ids, NULL, err, sizeof err) == -1);
		CHECK(catalogue_add(c, "none", "x", ids, NULL, err, sizeof err) == -1);
		CHECK(catalogue_add(c, "norule", "x", NULL, NULL, err, sizeof err) == -1);
		CHECK(catalogue_add(c, "avx512", "again", ids, NULL, err, sizeof err) == -1);
	}
	/* The catalogue travels to the CPU step as JSON and comes back the same. */
	{
		json_t *j = catalogue_json(c);
		struct catalogue *d = catalogue_new();
		CHECK(catalogue_load_json(d, j, err, sizeof err) == 0);
		CHECK(catalogue_count(d) == catalogue_count(c));
		CHECK(catalogue_find(d, "avx512") == catalogue_find(c, "avx512"));
		CHECK_STR(catalogue_identifiers(d, catalogue_find(d, "avx512"))[0], "_mm512_*");
		CHECK(catalogue_load_json(d, j, err, sizeof err) == 0); /* twice: harmless */
		json_decref(j);
		catalogue_free(d);
	}
	catalogue_free(c);
	return CHECK_DONE();
}
