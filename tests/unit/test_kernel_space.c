/* test_kernel_space.c - the kernel design space: names, format and parse, the techniques of
 * a design, the masks (checked against brute force), and rendered kernels that compile. */
#include "config.h"
#include "kernel_space.h"
#include "catalogue.h"
#include "../lib/check.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define T(x) ((techset_t)1 << (x))
#define ALL (T(TECH__BUILTIN) - 1)
/* the techniques the space can express (no prefetch) */
#define SPACE (ALL & ~T(TECH_PREFETCH))

static uint64_t rng = 42;
static unsigned next(void)
{
	rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)(rng >> 33);
}

static int parse(const char *s, struct ks_design *d)
{
	char err[200];
	return ks_parse(s, d, err, sizeof err);
}

/* A design drawn factor by factor under the mask; -1 when a mask left no choice. */
static int walk(techset_t permitted, techset_t required, struct ks_design *d)
{
	memset(d, 0, sizeof *d);
	for (int f = 0; f < KS__COUNT; f++) {
		int allowed[8], n = ks_allowed(f, d, permitted, required, allowed), pick;
		if (n < 1)
			return -1;
		pick = (int)(next() % (unsigned)n);
		for (int c = 0; c < ks_choices(f); c++)
			if (allowed[c] && pick-- == 0)
				d->c[f] = c;
	}
	return 0;
}

static void test_names(void)
{
	static const int counts[KS__COUNT] = {4, 5, 5, 5, 5, 3, 3, 3, 2};
	for (int f = 0; f < KS__COUNT; f++) {
		CHECK(ks_choices(f) == counts[f]);
		CHECK(ks_factor_name(f) != NULL);
		CHECK(ks_choice_name(f, ks_choices(f)) == NULL);
		CHECK(ks_choice_name(f, -1) == NULL);
	}
	CHECK_STR(ks_factor_name(KS_TILE_M), "tile_m");
	CHECK_STR(ks_choice_name(KS_NEST, 1), "ikj");
	CHECK_STR(ks_choice_name(KS_MICRO, 3), "4x8");
	CHECK_STR(ks_choice_name(KS_OMP, 1), "static");
	CHECK_STR(ks_choice_name(KS_SIMD, 2), "avx2");
	CHECK_STR(ks_choice_name(KS_TILE_K, 2), "64");
	CHECK(ks_choices(KS__COUNT) == 0);
}

static void test_format_parse(void)
{
	struct ks_design d, e;
	char buf[256], err[200];

	CHECK(parse("nest=ikj tile_m=64 omp=dynamic simd=avx2 unroll=4", &d) == 0);
	ks_format(&d, buf, sizeof buf);
	CHECK_STR(buf, "nest=ikj tile_m=64 tile_n=none tile_k=none micro=none omp=dynamic "
		       "simd=avx2 unroll=4 pack=off");
	CHECK(parse(buf, &e) == 0 && !memcmp(&d, &e, sizeof d));
	CHECK(parse(" pack=on,micro=6x8\ttile_k=256 nest=micro", &d) == 0);
	CHECK(d.c[KS_PACK] == 1 && d.c[KS_MICRO] == 4 && d.c[KS_TILE_K] == 4 && d.c[KS_NEST] == 3);
	CHECK(parse("", &d) == 0); /* every factor's first choice: the plain i-j-k loop */
	for (int f = 0; f < KS__COUNT; f++)
		CHECK(d.c[f] == 0);
	/* round trips of many drawn designs */
	for (int i = 0; i < 300; i++) {
		CHECK(walk(ALL, 0, &d) == 0);
		ks_format(&d, buf, sizeof buf);
		CHECK(parse(buf, &e) == 0 && !memcmp(&d, &e, sizeof d));
	}
	/* errors */
	CHECK(ks_parse("nest=jik", &d, err, sizeof err) < 0 && strstr(err, "jik") &&
	      strstr(err, "ikj"));
	CHECK(ks_parse("nests=ijk", &d, err, sizeof err) < 0 && strstr(err, "nests"));
	CHECK(ks_parse("nest", &d, err, sizeof err) < 0);
	CHECK(ks_parse("omp=static omp=off", &d, err, sizeof err) < 0 && strstr(err, "twice"));
	CHECK(ks_parse("nest=ikj micro=4x4", &d, err, sizeof err) < 0 && strstr(err, "micro"));
	CHECK(ks_parse("nest=ijk simd=avx2", &d, err, sizeof err) < 0 && strstr(err, "avx2"));
	CHECK(ks_parse("nest=kij pack=on", &d, err, sizeof err) < 0 && strstr(err, "pack"));
	CHECK(parse("nest=kij tile_n=32 pack=on", &d) == 0);
	CHECK(parse("nest=ijk pack=on", &d) == 0);
	d.c[KS_OMP] = 7;
	CHECK(ks_check(&d, err, sizeof err) < 0);
	ks_format(&d, buf, 8); /* truncated, terminated */
	CHECK(strlen(buf) < 8);
}

static techset_t techs(const char *s)
{
	struct ks_design d;
	if (parse(s, &d) < 0)
		return (techset_t)-1;
	return ks_techniques(&d);
}

static void test_techniques(void)
{
	CHECK(techs("nest=ijk") == 0);
	CHECK(techs("nest=ikj") == T(TECH_LOOP_REORDER));
	CHECK(techs("nest=kij unroll=4 omp=dynamic") ==
	      (T(TECH_LOOP_REORDER) | T(TECH_UNROLLING) | T(TECH_OPENMP)));
	CHECK(techs("tile_k=32") == T(TECH_CACHE_BLOCKING));
	CHECK(techs("nest=micro micro=2x4") == T(TECH_REGISTER_BLOCKING));
	CHECK(techs("simd=ompsimd") == T(TECH_SIMD));
	CHECK(techs("pack=on") == T(TECH_PACKING));
	CHECK(techs("nest=micro micro=6x8 simd=avx2 pack=on tile_m=64 tile_n=256 omp=static unroll=2") ==
	      (T(TECH_REGISTER_BLOCKING) | T(TECH_SIMD) | T(TECH_PACKING) |
	       T(TECH_CACHE_BLOCKING) | T(TECH_OPENMP) | T(TECH_UNROLLING)));
	CHECK(techs("nest=ikj tile_n=64 simd=avx2 pack=on") ==
	      (T(TECH_LOOP_REORDER) | T(TECH_CACHE_BLOCKING) | T(TECH_SIMD) | T(TECH_PACKING)));
}

/* ---- the masks ------------------------------------------------------------------------ */

static int ndesigns;
static struct ks_design *all_designs; /* every valid design */

static void enumerate(void)
{
	struct ks_design d = {{0}};
	char err[200];
	all_designs = malloc(200000 * sizeof *all_designs);
	for (;;) {
		int f;
		if (ks_check(&d, err, sizeof err) == 0)
			all_designs[ndesigns++] = d;
		for (f = KS__COUNT - 1; f >= 0; f--) {
			if (++d.c[f] < ks_choices(f))
				break;
			d.c[f] = 0;
		}
		if (f < 0)
			break;
	}
}

/* Brute force: does a valid design start with partial's factors before f and choice c of
 * f, and comply? */
static int exists(const struct ks_design *partial, int f, int c, techset_t permitted,
		  techset_t required)
{
	for (int i = 0; i < ndesigns; i++) {
		const struct ks_design *d = &all_designs[i];
		techset_t t;
		int g;
		for (g = 0; g < f; g++)
			if (d->c[g] != partial->c[g])
				break;
		if (g < f || d->c[f] != c)
			continue;
		t = ks_techniques(d);
		if (!(t & ~permitted) && (t & required) == required)
			return 1;
	}
	return 0;
}

static void test_masks(void)
{
	struct ks_design d;
	int allowed[8], bad = 0;

	/* every permitted set leaves at least one design, and the walk stays inside it */
	for (techset_t p = 0; p < T(8); p++)
		for (int i = 0; i < 4; i++) {
			if (walk(p, 0, &d) < 0 || (ks_techniques(&d) & ~p))
				bad++;
		}
	CHECK(bad == 0);
	/* openmp only: designs use openmp or nothing; order is ijk only */
	CHECK(ks_allowed(KS_NEST, &(struct ks_design){{0}}, T(TECH_OPENMP), 0, allowed) == 1);
	CHECK(allowed[0] == 1 && allowed[1] == 0 && allowed[2] == 0);
	for (int i = 0; i < 50; i++) {
		CHECK(walk(T(TECH_OPENMP), 0, &d) == 0);
		CHECK((ks_techniques(&d) & ~T(TECH_OPENMP)) == 0);
	}
	CHECK(walk(T(TECH_OPENMP), T(TECH_OPENMP), &d) == 0 &&
	      ks_techniques(&d) == T(TECH_OPENMP));
	/* required is honoured; what cannot be had masks everything */
	for (int i = 0; i < 50; i++) {
		CHECK(walk(ALL, T(TECH_SIMD) | T(TECH_PACKING), &d) == 0);
		CHECK((ks_techniques(&d) & (T(TECH_SIMD) | T(TECH_PACKING))) ==
		      (T(TECH_SIMD) | T(TECH_PACKING)));
	}
	CHECK(ks_allowed(KS_NEST, &(struct ks_design){{0}}, ALL,
			 T(TECH_REGISTER_BLOCKING) | T(TECH_LOOP_REORDER), allowed) == 0);
	CHECK(ks_allowed(KS_NEST, &(struct ks_design){{0}}, ALL, T(TECH_PREFETCH), allowed) == 0);
	CHECK(ks_allowed(KS_NEST, &(struct ks_design){{0}}, T(TECH_SIMD), T(TECH_OPENMP),
			 allowed) == 0);
	/* exactly the sets without prefetch, without both register_blocking and loop_reorder
	 * (a micro tile has a nest of its own), and without packing in the i-k-j nests but untiled */
	bad = 0;
	for (techset_t s = 0; s < T(8); s++) {
		int lr = !!(s & T(TECH_LOOP_REORDER));
		int want = !(s & T(TECH_PREFETCH)) && !(lr && (s & T(TECH_REGISTER_BLOCKING))) &&
			   !(lr && (s & T(TECH_PACKING)) && !(s & T(TECH_CACHE_BLOCKING)));
		int got = walk(s, s, &d) == 0;
		if (got != want || (got && ks_techniques(&d) != s))
			bad++;
	}
	CHECK(bad == 0);

	/* the masks against brute force, on drawn prefixes */
	enumerate();
	CHECK(ndesigns > 10000);
	bad = 0;
	for (int trial = 0; trial < 24; trial++) {
		techset_t p = trial < 4 ? ALL : (techset_t)(next() % 256);
		techset_t r = trial % 3 == 0 ? 0 : (techset_t)(next() % 256) & p;
		struct ks_design partial = {{0}};
		for (int f = 0; f < KS__COUNT; f++) {
			int n = ks_allowed(f, &partial, p, r, allowed), pick;
			for (int c = 0; c < ks_choices(f); c++)
				if (allowed[c] != exists(&partial, f, c, p, r))
					bad++;
			if (n < 1)
				break;
			pick = (int)(next() % (unsigned)n);
			for (int c = 0; c < ks_choices(f); c++)
				if (allowed[c] && pick-- == 0)
					partial.c[f] = c;
		}
	}
	CHECK(bad == 0);
	free(all_designs);
}

/* ---- rendering -------------------------------------------------------------------------- */

static int compiles(const char *src, const char *what)
{
	char path[] = "/tmp/perfrl-ks-XXXXXX.c", cmd[512];
	int fd = mkstemps(path, 2), rc;
	size_t n = strlen(src);
	if (fd < 0 || write(fd, src, n) != (ssize_t)n) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	close(fd);
	snprintf(cmd, sizeof cmd,
		 "gcc -std=c11 -O2 -march=native -fopenmp -Wall -Werror -fsyntax-only %s", path);
	rc = system(cmd);
	if (rc != 0)
		fprintf(stderr, "does not compile: %s\n", what);
	unlink(path);
	return rc == 0;
}

static int has(const char *s, const char *needle)
{
	return strstr(s, needle) != NULL;
}

static char *render(const char *design)
{
	struct ks_design d;
	if (parse(design, &d) < 0)
		return NULL;
	return ks_render(&d);
}

static void test_render(void)
{
	struct ks_design d;
	char *s, *t, buf[256];
	int bad = 0, n = 0;

	/* what the text shows */
	s = render("nest=ijk");
	CHECK(s && !strncmp(s, "/* design: nest=ijk tile_m=none", 31));
	CHECK(s && !has(s, "#pragma") && !has(s, "_mm256") && !has(s, "malloc") &&
	      has(s, "void dgemm(int m, int n, int k"));
	free(s);
	s = render("nest=ikj omp=dynamic simd=ompsimd unroll=2");
	CHECK(s && has(s, "#pragma omp parallel for schedule(dynamic)") &&
	      has(s, "#pragma omp simd") && has(s, "j += 2") && has(s, "c[j + 1]") &&
	      has(s, "memset(C, 0"));
	free(s);
	s = render("nest=micro tile_m=64 micro=6x8 omp=static simd=avx2 pack=on");
	CHECK(s && has(s, "_mm256_fmadd_pd") && has(s, "#if defined(__AVX2__) && defined(__FMA__)") &&
	      has(s, "#define TM 60") && has(s, "acc[MR][NR]") && has(s, "pack_a(") &&
	      has(s, "static struct buffer") && has(s, "fallback(m, n, k, A, B, C)"));
	free(s);
	s = render("nest=ijk tile_k=32 simd=ompsimd");
	CHECK(s && has(s, "reduction(+:s)") && has(s, "kk == 0 ? 0.0 : C["));
	free(s);
	/* deterministic; invalid designs are refused */
	s = render("nest=kij tile_n=128 tile_k=64 omp=static simd=avx2 unroll=4 pack=on");
	t = render("nest=kij tile_n=128 tile_k=64 omp=static simd=avx2 unroll=4 pack=on");
	CHECK(s && t && !strcmp(s, t));
	free(s);
	free(t);
	memset(&d, 0, sizeof d);
	d.c[KS_NEST] = 1;
	d.c[KS_MICRO] = 2;
	fprintf(stderr, "(an error about an invalid design is expected next)\n");
	CHECK(ks_render(&d) == NULL);

	/* designs from mask walks compile: each technique alone, then drawn at random */
	for (int i = 0; i < 40; i++) {
		techset_t p = i < 8 ? T(i) : i < 12 ? ALL : (techset_t)(next() % 256);
		if (walk(p, i < 7 ? p : 0, &d) < 0)
			continue;
		ks_format(&d, buf, sizeof buf);
		s = ks_render(&d);
		n++;
		if (!s || !compiles(s, buf))
			bad++;
		free(s);
	}
	CHECK(n >= 39);
	CHECK(bad == 0);
}

int main(void)
{
	test_names();
	test_format_parse();
	test_techniques();
	test_masks();
	test_render();
	return CHECK_DONE();
}
