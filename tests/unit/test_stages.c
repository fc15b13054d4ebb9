/* test_stages.c - stages.lua in its sandbox: the API, the refusals, the limits, the checks
 * of a plan, and the default curriculum. */
#include "config.h"
#include "stages.h"
#include "catalogue.h"
#include "util.h"
#include "../lib/check.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *top;
static const char *const shapes[] = {"512x512x512", "256x256x256", NULL};

static char *script(const char *name)
{
	return util_xasprintf("tests/stages/%s", name);
}

/* CHECK that err contains want (printing both when not). */
#define CHECK_HAS(err, want)                                                                 \
	do {                                                                                 \
		const char *e_ = (err), *w_ = (want);                                        \
		check_count++;                                                               \
		if (!strstr(e_, w_)) {                                                       \
			check_failures++;                                                    \
			fprintf(stderr, "%s:%d: \"%s\" lacks \"%s\"\n", __FILE__, __LINE__, \
				e_, w_);                                                     \
		}                                                                            \
	} while (0)

static struct stages *open_ok(const char *name, struct catalogue *c)
{
	char err[512] = "", *path = script(name);
	struct stages *s = NULL;

	if (stages_open(path, c, &s, err, sizeof err) != 0)
		fprintf(stderr, "stages_open %s: %s\n", path, err);
	CHECK(s != NULL);
	free(path);
	return s;
}

/* stages_open fails with an error that starts with want (after the directory). */
static void open_fails(const char *name, const char *want)
{
	struct catalogue *c = catalogue_new();
	struct stages *s = (struct stages *)1;
	char err[512] = "", *path = script(name);

	CHECK(stages_open(path, c, &s, err, sizeof err) == -1);
	CHECK(s == NULL);
	CHECK(strchr(err, '\n') == NULL);
	CHECK_HAS(err, want);
	free(path);
	catalogue_free(c);
}

static struct stage_input input(long seed)
{
	struct stage_input in = {
		.iteration = 1, .iterations = 9, .stage = 1, .stage_iterations = 0, .seed = seed,
		.problems = 2, .shapes = shapes, .elite_feedback = 1,
	};
	return in;
}

/* plan() with input(seed) fails with an error that contains want. */
static void plan_fails(struct stages *s, long seed, const char *want)
{
	struct stage_input in = input(seed);
	struct stage_plan p;
	char err[512] = "";

	CHECK(stages_plan(s, &in, &p, err, sizeof err) == -1);
	CHECK(p.problems == NULL && p.n == 0);
	CHECK(strchr(err, '\n') == NULL);
	CHECK_HAS(err, want);
}

/* plan() with input(seed) succeeds; returns its note (static). */
static const char *plan_note(struct stages *s, long seed)
{
	static char note[sizeof ((struct stage_plan *)0)->note];
	struct stage_input in = input(seed);
	struct stage_plan p;
	char err[512] = "";

	note[0] = '\0';
	if (stages_plan(s, &in, &p, err, sizeof err) != 0) {
		fprintf(stderr, "plan (seed %ld): %s\n", seed, err);
		CHECK(0);
		return note;
	}
	memcpy(note, p.note, sizeof note);
	stage_plan_free(&p);
	return note;
}

/* ---- errors and the sandbox ------------------------------------------------------- */

static void test_open_errors(void)
{
	open_fails("syntax.lua", "syntax.lua:4: '}' expected near 'permitted'");
	open_fails("toplevel.lua", "toplevel.lua:3: attempt to perform arithmetic on a nil value");
	open_fails("noplan.lua", "noplan.lua: the script defines no function plan(ctx)");
	open_fails("descriptor.lua", "descriptor.lua: DESCRIPTOR: unknown technique 'warp_shuffle'");
	open_fails("technique.lua", "technique.lua:3: perfrl.technique: ");
	open_fails("missing.lua", "cannot open");
	open_fails("missing.lua", "missing.lua");
}

static void test_runtime_errors(void)
{
	struct catalogue *c = catalogue_new();
	struct stages *s = open_ok("runtime.lua", c);

	if (!s)
		goto out;
	plan_fails(s, 1, "runtime.lua:5: attempt to index a nil value (local 't')");
	plan_fails(s, 2, "runtime.lua:6: failed on purpose");
	plan_fails(s, 3, "runtime.lua:7: (error object is a table value)");
	plan_fails(s, 4, "runtime.lua:8: no position");
	plan_fails(s, 5, "runtime.lua:3: attempt to index a nil value (local 't')");
	plan_fails(s, 6, "runtime.lua:10: perfrl.combinations: list must be a table");
	plan_fails(s, 7, "stack overflow");
	plan_fails(s, 8, "runtime.lua:13: custom");
	plan_fails(s, 9, "runtime.lua: perfrl.combinations: list must be a table");
	CHECK(plan_note(s, 0)[0] == '\0');  /* still usable */
	stages_close(s);
out:
	catalogue_free(c);
}

static void test_sandbox(void)
{
	struct catalogue *c = catalogue_new();
	struct stages *s = open_ok("sandbox.lua", c);

	if (!s)
		goto out;
	plan_fails(s, 1, "sandbox.lua:3: attempt to index a nil value (global 'os')");
	plan_fails(s, 2, "sandbox.lua:4: attempt to index a nil value (global 'io')");
	plan_fails(s, 3, "sandbox.lua:5: attempt to call a nil value (global 'require')");
	plan_fails(s, 4, "sandbox.lua:6: attempt to call a nil value (global 'dofile')");
	plan_fails(s, 5, "sandbox.lua:7: attempt to call a nil value (global 'loadfile')");
	plan_fails(s, 6, "sandbox.lua:8: ");
	plan_fails(s, 6, "attempt to load a binary chunk");
	plan_fails(s, 7, "sandbox.lua:9: attempt to index a nil value (global 'package')");
	plan_fails(s, 8, "sandbox.lua:10: attempt to index a nil value (global 'debug')");
	plan_fails(s, 9, "sandbox.lua:11: bad argument #1 to 'load'");
	CHECK_STR(plan_note(s, 10), "42");
	CHECK_STR(plan_note(s, 11), "env");
	CHECK_STR(plan_note(s, 12), "true");
	plan_fails(s, 13, "sandbox.lua:15: attempt to index a nil value (global 'coroutine')");
	CHECK(access("/tmp/perfrl-sandbox-escaped", F_OK) != 0);
	stages_close(s);
out:
	catalogue_free(c);
}

static void test_binary(void)
{
	struct catalogue *c = catalogue_new();
	struct stages *s = open_ok("binary.lua", c);

	if (s) {
		plan_fails(s, 0, "binary.lua:5: attempt to load a binary chunk");
		stages_close(s);
	}
	catalogue_free(c);
}

static void test_limits(void)
{
	struct catalogue *c = catalogue_new();
	struct stages *s = open_ok("loop.lua", c);

	if (s) {
		plan_fails(s, 1, "loop.lua:4: plan() ran too long");
		plan_fails(s, 2, "loop.lua:8: plan() ran too long");
		CHECK_STR(plan_note(s, 0), "survived");
		stages_close(s);
	}
	s = open_ok("memory.lua", c);
	if (s) {
		plan_fails(s, 1, "memory.lua:6: not enough memory: plan() used more than 64 MiB");
		plan_fails(s, 2, "memory.lua:8: not enough memory");
		/* What the script keeps between calls counts, and is kept. */
		CHECK_STR(plan_note(s, 3), "1");
		CHECK_STR(plan_note(s, 3), "2");
		CHECK_STR(plan_note(s, 0), "2");
		stages_close(s);
	}
	catalogue_free(c);
}

/* ---- the API -------------------------------------------------------------------------- */

static void test_api(void)
{
	struct catalogue *c = catalogue_new();
	struct stages *s = open_ok("api.lua", c);
	struct stage_cell cells[] = {
		{"64x64x64", 1u << TECH_OPENMP | 1u << TECH_SIMD, 12.5, 4},
		{"32x32x32", 1u << TECH_SIMD, 3.25, 2},
	};
	struct stage_input in = input(0);
	struct stage_plan p;
	char err[512] = "", note1[160], note2[160];
	int tasks = catalogue_find(c, "tasks");

	if (!s)
		goto out;
	/* perfrl.technique and DESCRIPTOR */
	CHECK(tasks == TECH__BUILTIN);
	CHECK(catalogue_is_user(c, tasks));
	CHECK_STR(catalogue_description(c, TECH_SIMD), "vectorise the inner loop");
	CHECK(stages_descriptor(s) == (1u << TECH_OPENMP | 1u << tasks));

	/* ctx, and everything a plan may say */
	in.iteration = 7;
	in.stage = 2;
	in.stage_iterations = 3;
	in.problems = 5;
	in.elite_feedback = 0;
	in.cells = cells;
	in.ncells = 2;
	in.coverage = 0.25;
	in.qd_score = 15.75;
	CHECK(stages_plan(s, &in, &p, err, sizeof err) == 0);
	CHECK_STR(err, "");
	CHECK_STR(p.note, "7 9 2 3 0 5 512x512x512+256x256x256 false 0.25 15.8 2 "
			  "64x64x64/openmp+simd/12.5/4,32x32x32/simd/3.2/2");
	CHECK(p.stage == 3 && p.advance == 1);
	CHECK(p.n == 3);
	if (p.n == 3) {
		CHECK_STR(p.problems[0].id, "p01-64x64x64-openmp+tasks");
		CHECK_STR(p.problems[0].shape, "64x64x64");
		CHECK(p.problems[0].permitted == (1u << TECH_OPENMP | 1u << TECH_SIMD | 1u << tasks));
		CHECK(p.problems[0].required == 1u << tasks);
		CHECK(p.problems[0].elite == 0);
		CHECK_STR(p.problems[1].id, "custom.id-1");
		CHECK(p.problems[1].permitted == 0 && p.problems[1].required == 0);
		CHECK(p.problems[1].elite == 0);  /* ctx.elite_feedback */
		CHECK_STR(p.problems[2].id, "p03-256x256x256-none");
		CHECK(p.problems[2].permitted == 1u << TECH_LOOP_REORDER);
		CHECK(p.problems[2].elite == 1);
	}
	stage_plan_free(&p);
	stage_plan_free(&p);  /* twice is harmless */
	CHECK_STR(shapes[0], "512x512x512");
	/* No cells: archive.stale is stage_iterations; elite defaults to elite_feedback. */
	in.cells = NULL;
	in.ncells = 0;
	in.elite_feedback = 1;
	CHECK(stages_plan(s, &in, &p, err, sizeof err) == 0);
	CHECK_HAS(p.note, "7 9 2 3 0 5 512x512x512+256x256x256 true 0.25 15.8 3 ");
	CHECK(p.n == 3 && p.problems[1].elite == 1);
	stage_plan_free(&p);

	/* perfrl.combinations */
	CHECK_STR(plan_note(s, 1), "a+b a+c a+d b+c b+d c+d||a+b+c+d");
	in = input(1);
	in.iteration = 2;
	CHECK(stages_plan(s, &in, &p, err, sizeof err) == 0);
	CHECK_STR(p.note, "tests/stages/api.lua:57: perfrl.combinations: k must be an integer "
			  "from 0 to 1");
	stage_plan_free(&p);
	in.iteration = 3;
	CHECK(stages_plan(s, &in, &p, err, sizeof err) == 0);
	CHECK_STR(p.note, "tests/stages/api.lua:58: perfrl.combinations: more than 100000 "
			  "combinations");
	stage_plan_free(&p);

	/* perfrl.shuffle: a permutation, a copy, deterministic; math.random seeded per call */
	snprintf(note1, sizeof note1, "%s", plan_note(s, 2));
	snprintf(note2, sizeof note2, "%s", plan_note(s, 2));
	CHECK_STR(note1, note2);
	CHECK_HAS(note1, ";1,2,3,4,5,6,7,8,9,10;");
	CHECK(strncmp(note1, "1,2,3,4,5,6,7,8,9,10;", 21) != 0);
	{
		int seen[11] = {0}, n = 0, ok = 1;
		for (const char *q = note1; *q && *q != ';'; n++) {
			char *end;
			long v = strtol(q, &end, 10);
			ok &= v >= 1 && v <= 10 && !seen[v]++;
			q = *end == ',' ? end + 1 : end;
		}
		CHECK(ok && n == 10);
	}
	in = input(2);
	in.iteration = 2;
	CHECK(stages_plan(s, &in, &p, err, sizeof err) == 0);
	CHECK(strcmp(p.note, note1) != 0);   /* another iteration, another draw */
	stage_plan_free(&p);
	/* Another state, the same draws (the top level's included). */
	{
		struct catalogue *c2 = catalogue_new();
		struct stages *s2 = open_ok("api.lua", c2);
		if (s2)
			CHECK_STR(plan_note(s2, 2), note1);
		stages_close(s2);
		catalogue_free(c2);
	}

	/* perfrl.technique: top level only, and what it refuses */
	CHECK_STR(plan_note(s, 3), "tests/stages/api.lua:69: perfrl.technique: call it at the top level of the "
				  "script, not from plan()");
	{
		static const char *const refused[] = {
			"tasks is defined twice", "nothing: give identifiers or pragmas",
			"identifiers[1] is not a string", "unknown field colour (expected name, "
			"description, identifiers, pragmas)", "name must be a string",
		};
		for (int i = 0; i < 5; i++) {
			in = input(5);
			in.iteration = i + 1;
			CHECK(stages_plan(s, &in, &p, err, sizeof err) == 0);
			CHECK(strncmp(p.note, "tests/stages/api.lua:10: perfrl.technique: ", 43) == 0);
			CHECK_HAS(p.note, refused[i]);
			stage_plan_free(&p);
		}
		in.iteration = 6;
		CHECK(stages_plan(s, &in, &p, err, sizeof err) == 0);
		CHECK_STR(p.note, "5");
		stage_plan_free(&p);
	}
	CHECK(catalogue_count(c) == TECH__BUILTIN + 1);

	/* perfrl.techniques: the catalogue, user techniques marked */
	snprintf(note1, sizeof note1, "%s", plan_note(s, 4));
	CHECK_HAS(note1, "openmp=");
	CHECK_HAS(note1, ",simd=24,");
	CHECK_HAS(note1, ",loop_reorder=");
	CHECK_HAS(note1, ",tasks*=29");
	CHECK(strncmp(note1, "openmp=", 7) == 0);

	/* The note: one line, cut on a character boundary */
	snprintf(note1, sizeof note1, "%s", plan_note(s, 6));
	CHECK(strncmp(note1, "a b c\xc3\xa9", 7) == 0);
	CHECK(strlen(note1) == 5 + 2 * 77);

	/* plan() that returns nothing */
	plan_fails(s, 7, "api.lua: plan(): returned a nil, not a table");
	stages_close(s);
out:
	catalogue_free(c);
	stages_close(NULL);
}

static void test_validation(void)
{
	static const struct {
		int seed;
		const char *want;
	} cases[] = {
		{1, "bad.lua: plan(): problems is empty"},
		{2, "bad.lua: plan(): problem 2: unknown technique 'warp_shuffle' in permitted"},
		{3, "bad.lua: plan(): problem 1: required technique 'simd' is not permitted"},
		{4, "bad.lua: plan(): problem 2: shape '8x8' is not MxNxK"},
		{5, "bad.lua: plan(): problem 2: id 'a' is already problem 1's"},
		{6, "bad.lua: plan(): problem 2: id 'p01-8x8x8-none' is already problem 1's"},
		{7, "bad.lua: plan(): returned a nil"},
		{8, "bad.lua: plan(): problem 3: unknown field permited"},
		{9, "bad.lua: plan(): problems must be a list"},
		{10, "bad.lua: plan(): problem 1: id 'a b' is not"},
		{11, "bad.lua: plan(): problem 1: elite must be a boolean, not a string"},
		{12, "bad.lua: plan(): 10001 problems, more than 10000"},
		{13, "bad.lua: plan(): problem 2: shape '0x8x8' has a dimension out of 1..65536"},
		{14, "bad.lua: plan(): advance must be a boolean, not a number"},
		{15, "bad.lua: plan(): note must be a string, not a table"},
		{16, "bad.lua: plan(): unknown field stages in the plan"},
		{17, "bad.lua: plan(): problem 1: permitted must be a list of technique names, not a string"},
		{18, "bad.lua: plan(): problem 1: shape '65536x65536x65536' needs more than 3 GiB"},
		{19, "bad.lua: plan(): stage must be an integer from 1 to 1000"},
		{20, "bad.lua: plan(): problem 2: permitted[2] is a number, not a technique name"},
		{21, "bad.lua: plan(): problem 1: shape '8x8x8x' is not MxNxK"},
		{22, "bad.lua: plan(): problem 1: shape '70000x8x8' has a dimension out of"},
		{23, "bad.lua: plan(): problem 1: id 'xxxx"},
		{24, "bad.lua: plan(): problems must be a list of problems, not a nil"},
		{25, "bad.lua: plan(): problem 2 is a number, not a table"},
	};
	struct catalogue *c = catalogue_new();
	struct stages *s = open_ok("bad.lua", c);
	struct stage_input in = input(26);
	struct stage_plan p;
	char err[512];

	if (!s)
		goto out;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		plan_fails(s, cases[i].seed, cases[i].want);
	CHECK(stages_plan(s, &in, &p, err, sizeof err) == 0);
	CHECK(p.n == 1 && p.problems[0].required == 1u << TECH_OPENMP);
	CHECK(p.stage == 1 && p.advance == 0 && p.note[0] == '\0');
	stage_plan_free(&p);
	/* A short err buffer is cut, still terminated. */
	in = input(2);
	CHECK(stages_plan(s, &in, &p, err, 12) == -1);
	CHECK(strlen(err) == 11);
	stages_close(s);
out:
	catalogue_free(c);
}

/* ---- the default curriculum ---------------------------------------------------------- */

static const techset_t MAIN = 1u << TECH_OPENMP | 1u << TECH_SIMD | 1u << TECH_CACHE_BLOCKING |
			      1u << TECH_REGISTER_BLOCKING;
static const techset_t ALWAYS = 1u << TECH_LOOP_REORDER | 1u << TECH_UNROLLING;
static const techset_t LATE = 1u << TECH_PACKING | 1u << TECH_PREFETCH;

static int popcount(techset_t t)
{
	return __builtin_popcount(t);
}

/* A copy of the default stages.lua in tmp (a mkstemp template) with `from` replaced by `to`. */
static int edit_default(const char *from, const char *to, char *tmp)
{
	char *path = util_xstrdup("stages.lua"), *at, *edited;
	size_t len;
	char *text = util_read_file(path, 0, &len);
	int fd = -1, rc = -1;

	CHECK(text != NULL);
	if (!text)
		goto out;
	at = strstr(text, from);
	CHECK(at != NULL);
	if (!at || (fd = mkstemp(tmp)) < 0)
		goto out;
	edited = util_xasprintf("%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
	rc = write(fd, edited, strlen(edited)) == (ssize_t)strlen(edited) ? 0 : -1;
	close(fd);
	free(edited);
out:
	CHECK(rc == 0);
	free(text);
	free(path);
	return rc;
}

/* Open the default stages.lua (path NULL) or an edited copy. */
static struct stages *open_default(struct catalogue *c, const char *path)
{
	char *def = util_xstrdup("stages.lua"), err[512] = "";
	struct stages *s = NULL;

	if (stages_open(path ? path : def, c, &s, err, sizeof err) != 0)
		fprintf(stderr, "%s: %s\n", path ? path : def, err);
	CHECK(s != NULL);
	free(def);
	return s;
}

/* Plan the default script at (stage, stage_iterations); *advance its answer. */
static int plan_at(struct stages *s, struct stage_input *in, int stage, long done,
		   struct stage_plan *p)
{
	char err[512] = "";
	in->stage = stage;
	in->stage_iterations = done;
	in->iteration = done + 1 + 3 * (stage - 1);
	if (stages_plan(s, in, p, err, sizeof err) != 0) {
		fprintf(stderr, "stage %d, %ld: %s\n", stage, done, err);
		CHECK(0);
		return -1;
	}
	return 0;
}

static void test_default(void)
{
	struct catalogue *c = catalogue_new();
	struct stages *s = open_default(c, NULL);
	struct stage_input in = input(42);
	struct stage_plan p, q;
	techset_t seen = 0;
	techset_t pairs[6];
	int npairs = 0;

	if (!s)
		goto out;
	CHECK(stages_descriptor(s) == MAIN);

	/* Stage 1: one main technique per problem, all four over four iterations. */
	in.problems = 1;
	for (long done = 0; done < 4; done++) {
		if (plan_at(s, &in, 1, done, &p))
			break;
		CHECK(p.n == 1 && p.stage == 1);
		CHECK(popcount(p.problems[0].permitted & MAIN) == 1);
		CHECK((p.problems[0].permitted & ~MAIN) == ALWAYS);
		CHECK(p.problems[0].required == 0);
		CHECK(p.problems[0].elite == 1);
		CHECK_STR(p.note, "stage 1: one technique per problem");
		seen |= p.problems[0].permitted & MAIN;
		stage_plan_free(&p);
	}
	CHECK(seen == MAIN);
	/* Eight problems: each main technique twice, and every shape. */
	in.problems = 8;
	if (plan_at(s, &in, 1, 0, &p) == 0) {
		int count[TECH_MAX] = {0}, big = 0;
		CHECK(p.n == 8);
		for (size_t i = 0; i < p.n; i++) {
			count[__builtin_ctz(p.problems[i].permitted & MAIN)]++;
			big += strcmp(p.problems[i].shape, "512x512x512") == 0;
			CHECK(strncmp(p.problems[i].id, "p0", 2) == 0);
		}
		CHECK(count[TECH_OPENMP] == 2 && count[TECH_SIMD] == 2 &&
		      count[TECH_CACHE_BLOCKING] == 2 && count[TECH_REGISTER_BLOCKING] == 2);
		CHECK(big == 4);
		stage_plan_free(&p);
	}

	/* Stage 2: pairs, all six over three iterations of two problems. */
	in.problems = 2;
	for (long done = 0; done < 3; done++) {
		if (plan_at(s, &in, 2, done, &p))
			break;
		for (size_t i = 0; i < p.n; i++) {
			techset_t m = p.problems[i].permitted & MAIN;
			int dup = 0;
			CHECK(popcount(m) == 2);
			CHECK((p.problems[i].permitted & ~MAIN) == ALWAYS);
			for (int j = 0; j < npairs; j++)
				dup |= pairs[j] == m;
			if (!dup && npairs < 6)
				pairs[npairs++] = m;
		}
		CHECK_STR(p.note, "stage 2: pairs of techniques");
		stage_plan_free(&p);
	}
	CHECK(npairs == 6);

	/* Stage 3: everything, and no stage after it. */
	for (long done = 0; done < 12; done += 11) {
		if (plan_at(s, &in, 3, done, &p))
			break;
		CHECK(p.n == 2);
		CHECK(p.problems[0].permitted == (MAIN | ALWAYS | LATE));
		CHECK(p.advance == 0);
		stage_plan_free(&p);
	}

	/* Deterministic: the same input, the same plan; another iteration, another one. */
	in.problems = 3;
	if (plan_at(s, &in, 2, 1, &p) == 0) {
		if (plan_at(s, &in, 2, 1, &q) == 0) {
			CHECK(p.n == q.n && p.advance == q.advance && p.stage == q.stage);
			for (size_t i = 0; i < p.n && i < q.n; i++) {
				CHECK_STR(p.problems[i].id, q.problems[i].id);
				CHECK_STR(p.problems[i].shape, q.problems[i].shape);
				CHECK(p.problems[i].permitted == q.problems[i].permitted);
			}
			stage_plan_free(&q);
		}
		if (plan_at(s, &in, 2, 2, &q) == 0) {
			int differ = 0;
			for (size_t i = 0; i < p.n && i < q.n; i++)
				differ |= p.problems[i].permitted != q.problems[i].permitted;
			CHECK(differ);
			stage_plan_free(&q);
		}
		stage_plan_free(&p);
	}
	/* Another seed, another order. */
	{
		techset_t a[6], b[6];
		int differ = 0;
		in.problems = 6;
		if (plan_at(s, &in, 2, 0, &p) == 0) {
			for (int i = 0; i < 6; i++)
				a[i] = p.problems[i].permitted;
			stage_plan_free(&p);
		}
		in.seed = 7;
		if (plan_at(s, &in, 2, 0, &p) == 0) {
			for (int i = 0; i < 6; i++)
				b[i] = p.problems[i].permitted;
			stage_plan_free(&p);
		}
		for (int i = 0; i < 6; i++)
			differ |= a[i] != b[i];
		CHECK(differ);
		in.seed = 42;
	}

	/* Adaptive (the default), iterations = 15: min 2, patience 3, max ceil(15/3) = 5, an
	 * even share: a stage may end early when stale, never late. */
	in.iterations = 15;
	{
		struct stage_cell cells[] = {
			{"512x512x512", 1u << TECH_SIMD, 10, 3},                      /* stage 1 */
			{"512x512x512", 1u << TECH_SIMD | 1u << TECH_OPENMP, 20, 0},  /* stage 2 */
		};
		static const struct {
			int stage;
			long done, since1;
			int advance;
		} steps[] = {
			{1, 0, 9, 0}, {1, 1, 9, 0}, {1, 2, 9, 0}, {1, 3, 9, 1}, /* no improvement */
			{1, 3, 2, 0}, {1, 3, 3, 1}, {1, 4, 0, 1},               /* max 5 */
			{1, 5, 0, 1}, {2, 3, 9, 0},                             /* stage 2's cell: 0 */
		};
		in.problems = 1;
		in.cells = cells;
		in.ncells = 2;
		for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
			cells[0].since_improved = steps[i].since1;
			if (plan_at(s, &in, steps[i].stage, steps[i].done, &p))
				break;
			if (p.advance != steps[i].advance)
				fprintf(stderr, "adaptive step %zu: advance %d\n", i, p.advance);
			CHECK(p.advance == steps[i].advance);
			stage_plan_free(&p);
		}
		in.cells = NULL;
		in.ncells = 0;
	}
	/* iterations = 9: max ceil(9/3) = 3, before patience can tell */
	in.iterations = 9;
	if (plan_at(s, &in, 1, 1, &p) == 0) {
		CHECK(p.advance == 0);
		stage_plan_free(&p);
	}
	if (plan_at(s, &in, 1, 2, &p) == 0) {
		CHECK(p.advance == 1);
		stage_plan_free(&p);
	}
	stages_close(s);

	/* Adaptive, patience 0: MIN_PER_STAGE (2) still holds it back on a stage's first one. */
	{
		char tmp[] = "/tmp/perfrl-test-stages-XXXXXX";
		catalogue_free(c);
		c = catalogue_new();
		s = edit_default("PATIENCE = 3", "PATIENCE = 0", tmp) ? NULL : open_default(c, tmp);
		if (s) {
			if (plan_at(s, &in, 1, 0, &p) == 0) {
				CHECK(p.advance == 0);
				stage_plan_free(&p);
			}
			if (plan_at(s, &in, 1, 1, &p) == 0) {
				CHECK(p.advance == 1);
				stage_plan_free(&p);
			}
			stages_close(s);
		}
		unlink(tmp);
	}

	/* Fixed: iterations = 9, three per stage, exactly at the boundary. */
	{
		char tmp[] = "/tmp/perfrl-test-stages-XXXXXX";
		catalogue_free(c);
		c = catalogue_new();
		s = edit_default("ADVANCE = \"adaptive\"", "ADVANCE = \"fixed\"", tmp) ? NULL :
			open_default(c, tmp);
		if (s) {
			for (int stage = 1; stage <= 3; stage++)
				for (long done = 0; done < 4; done++) {
					if (plan_at(s, &in, stage, done, &p))
						break;
					CHECK(p.advance == (stage < 3 && done >= 2));
					stage_plan_free(&p);
				}
			in.iterations = 20;  /* ceil(20/3) = 7 */
			if (plan_at(s, &in, 1, 5, &p) == 0) {
				CHECK(p.advance == 0);
				stage_plan_free(&p);
			}
			if (plan_at(s, &in, 1, 6, &p) == 0) {
				CHECK(p.advance == 1);
				stage_plan_free(&p);
			}
			stages_close(s);
		}
		unlink(tmp);
	}
	/* A mode that does not exist is refused when the script is opened. */
	{
		char tmp[] = "/tmp/perfrl-test-stages-XXXXXX", err[512] = "";
		struct stages *bad = NULL;
		CHECK(edit_default("ADVANCE = \"adaptive\"", "ADVANCE = \"sometimes\"", tmp) == 0);
		CHECK(stages_open(tmp, c, &bad, err, sizeof err) == -1 && bad == NULL);
		CHECK_HAS(err, ": ADVANCE must be \"fixed\" or \"adaptive\"");
		unlink(tmp);
	}
out:
	catalogue_free(c);
}

int main(void)
{
	top = getenv("top_srcdir");
	if (!top || !*top)
#ifdef PERFRL_SRCDIR
		top = PERFRL_SRCDIR;
#else
		top = "..";
#endif
	/* Relative names keep the messages short (the note holds 159 bytes). */
	if (chdir(top) != 0) {
		perror(top);
		return 1;
	}
	test_open_errors();
	test_runtime_errors();
	test_sandbox();
	test_binary();
	test_limits();
	test_api();
	test_validation();
	test_default();
	return CHECK_DONE();
}
