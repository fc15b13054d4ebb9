/* test_archive.c - the quality-diversity archive: offers, order, look-ups, arithmetic, and
 * archive.json (round trip, atomic writes, errors). */
#include "config.h"
#include "archive.h"
#include "util.h"
#include "../lib/check.h"

#include <dirent.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmp[] = "/tmp/perfrl-test-archive-XXXXXX";
static char state_dir[PATH_MAX];

/* Write text as STATE/archive.json. */
static void put_file(const char *text)
{
	char path[PATH_MAX + 32];
	FILE *f;
	snprintf(path, sizeof path, "%s/archive.json", state_dir);
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/* archive_load's answer on text; err gets its message. */
static int load_text(const char *text, char *err, size_t errlen)
{
	struct archive *a = NULL;
	int rc;
	put_file(text);
	err[0] = '\0';
	rc = archive_load(state_dir, &a, err, errlen);
	CHECK((rc == 0) == (a != NULL));
	archive_free(a);
	return rc;
}

static void test_offers(void)
{
	struct archive *a = archive_new();
	const struct archive_cell *c;

	CHECK(archive_count(a) == 0 && archive_cell(a, 0) == NULL);
	CHECK(archive_find(a, "64x64x64", "none") == NULL);

	/* First fill. */
	CHECK(archive_offer(a, "64x64x64", "none", 10.0, 10.0, 3, "s3-0", "void f(){}\n") == 1);
	c = archive_find(a, "64x64x64", "none");
	CHECK(c != NULL);
	if (c) {
		CHECK(c->gflops == 10.0 && c->reward == 10.0 && c->found_iter == 3);
		CHECK(c->improved_iter == 3 && c->offers == 1);
		CHECK_STR(c->sample_id, "s3-0");
		CHECK_STR(c->source, "void f(){}\n");
	}
	/* Slower: kept, but counted. */
	CHECK(archive_offer(a, "64x64x64", "none", 9.5, 9.5, 4, "s4-0", "slow") == 0);
	/* A tie keeps the older elite. */
	CHECK(archive_offer(a, "64x64x64", "none", 10.0, 11.0, 5, "s5-0", "tie") == 0);
	c = archive_find(a, "64x64x64", "none");
	CHECK(c && c->offers == 3 && c->improved_iter == 3 && !strcmp(c->sample_id, "s3-0"));
	CHECK(c && !strcmp(c->source, "void f(){}\n") && c->reward == 10.0);
	/* Strictly faster replaces; found_iter stays, improved_iter moves (a gain of 5% or more). */
	CHECK(archive_offer(a, "64x64x64", "none", 10.5, -2.25, 6, "s6-1", "fast") == 1);
	c = archive_find(a, "64x64x64", "none");
	CHECK(c && c->offers == 4 && c->found_iter == 3 && c->improved_iter == 6);
	CHECK(c && c->gflops == 10.5 && c->reward == -2.25);
	CHECK(c && !strcmp(c->sample_id, "s6-1") && !strcmp(c->source, "fast"));
	/* A gain under ARCHIVE_MIN_GAIN (5%) makes the faster kernel the elite but is not an
	 * improvement: within the timer's noise. */
	{
		struct archive *g = archive_new();
		CHECK(archive_offer(g, "8x8x8", "none", 10.0, 10.0, 1, "a", "A") == 1);
		CHECK(archive_offer(g, "8x8x8", "none", 10.4, 10.4, 2, "b", "B") == 1);
		c = archive_find(g, "8x8x8", "none");
		CHECK(c && c->improved_iter == 1 && c->gflops == 10.4 && !strcmp(c->sample_id, "b"));
		CHECK(archive_offer(g, "8x8x8", "none", 11.0, 11.0, 3, "c", "C") == 1);
		c = archive_find(g, "8x8x8", "none");
		CHECK(c && c->improved_iter == 3 && c->gflops == 11.0 && c->offers == 3);
		archive_free(g);
	}
	/* Another cell of the same shape is another cell; zero GFLOPS is a valid first fill. */
	CHECK(archive_offer(a, "64x64x64", "openmp", 0.0, 0.0, 6, NULL, "") == 1);
	CHECK(archive_count(a) == 2);
	c = archive_find(a, "64x64x64", "openmp");
	CHECK(c && c->offers == 1 && !strcmp(c->sample_id, "") && !strcmp(c->source, ""));

	/* Nonsense is refused and changes nothing, not even the offer count. */
	CHECK(archive_offer(a, "64x64x64", "none", NAN, 1, 7, "x", "x") == 0);
	CHECK(archive_offer(a, "64x64x64", "none", INFINITY, 1, 7, "x", "x") == 0);
	CHECK(archive_offer(a, "64x64x64", "none", -1.0, 1, 7, "x", "x") == 0);
	CHECK(archive_offer(a, "64x64x64", "none", 99.0, NAN, 7, "x", "x") == 0);
	CHECK(archive_offer(a, "64x64x64", "none", 99.0, 1, -1, "x", "x") == 0);
	CHECK(archive_offer(a, "", "none", 99.0, 1, 7, "x", "x") == 0);
	CHECK(archive_offer(a, NULL, "none", 99.0, 1, 7, "x", "x") == 0);
	CHECK(archive_offer(a, "64x64x64", "", 99.0, 1, 7, "x", "x") == 0);
	CHECK(archive_offer(a, "64x64x64", NULL, 99.0, 1, 7, "x", "x") == 0);
	CHECK(archive_offer(a, "64x64x64", "none", 99.0, 1, 7, "x", NULL) == 0);
	CHECK(archive_offer(a, "64/64", "none", 99.0, 1, 7, "x", "x") == 0);
	CHECK(archive_offer(a, "64x64\n", "none", 99.0, 1, 7, "x", "x") == 0);
	CHECK(archive_offer(a, "64x64x64", "none", 99.0, 1, 7, "bad\xff", "x") == 0);
	CHECK(archive_offer(a,
			    "123456789012345678901234567890123", /* 33 bytes: no room */
			    "none", 99.0, 1, 7, "x", "x") == 0);
	CHECK(archive_offer(NULL, "64x64x64", "none", 99.0, 1, 7, "x", "x") == 0);
	c = archive_find(a, "64x64x64", "none");
	CHECK(archive_count(a) == 2 && c && c->offers == 4 && c->gflops == 10.5);

	archive_free(a);
	archive_free(NULL);
}

static void test_order_and_names(void)
{
	struct archive *a = archive_new();
	static const char *const want[][2] = {
		{"64x64x64", "none"},
		{"64x64x64", "openmp+simd"},
		{"64x256x64", "simd"},
		{"256x256x256", "cache_blocking"},
		{"256x256x256", "none"},
		{"1024x1024x1024", "openmp"},
	};
	char name[2048];
	const struct archive_cell *c;

	/* Offered in a scrambled order. */
	CHECK(archive_offer(a, "1024x1024x1024", "openmp", 500, 500, 1, "a", "A") == 1);
	CHECK(archive_offer(a, "256x256x256", "none", 5, 5, 1, "b", "B") == 1);
	CHECK(archive_offer(a, "64x256x64", "simd", 7, 7, 2, "c", "C") == 1);
	CHECK(archive_offer(a, "64x64x64", "openmp+simd", 30, 30, 2, "d", "D") == 1);
	CHECK(archive_offer(a, "256x256x256", "cache_blocking", 50, 50, 3, "e", "E") == 1);
	CHECK(archive_offer(a, "64x64x64", "none", 3, 3, 3, "f", "F") == 1);
	CHECK(archive_count(a) == 6);
	/* Shapes in numeric order, then the techniques. */
	for (size_t i = 0; i < 6; i++) {
		c = archive_cell(a, i);
		CHECK(c && !strcmp(c->shape, want[i][0]) && !strcmp(c->techs, want[i][1]));
	}
	CHECK(archive_cell(a, 6) == NULL);

	/* Names and back. */
	c = archive_cell(a, 1);
	archive_cell_name(c, name, sizeof name);
	CHECK_STR(name, "64x64x64/openmp+simd");
	CHECK(archive_find_name(a, name) == c);
	archive_cell_name(c, name, 9);
	CHECK_STR(name, "64x64x64");
	CHECK(archive_find_name(a, "1024x1024x1024/openmp") == archive_cell(a, 5));
	CHECK(archive_find_name(a, "1024x1024x1024/simd") == NULL);
	CHECK(archive_find_name(a, "1024x1024x1024") == NULL);
	CHECK(archive_find_name(a, "/openmp") == NULL);
	CHECK(archive_find_name(a, "") == NULL);
	CHECK(archive_find_name(a, NULL) == NULL);
	CHECK(archive_find_name(a, "64x64x64/none/") == NULL);
	CHECK(archive_find_name(a, "1234567890123456789012345678901234567890/none") == NULL);
	CHECK(archive_find(a, "256x256x256", "none") == archive_cell(a, 4));
	CHECK(archive_find(a, "256x256x256", "None") == NULL);

	/* The arithmetic. */
	CHECK(archive_qd_score(a) == 500 + 5 + 7 + 30 + 50 + 3);
	CHECK(archive_coverage(a, 12) == 0.5);
	CHECK(archive_coverage(a, 6) == 1.0);
	CHECK(archive_coverage(a, 0) == 0.0);
	archive_free(a);
	a = archive_new();
	CHECK(archive_qd_score(a) == 0.0 && archive_coverage(a, 10) == 0.0);
	archive_free(a);
}

/* No archive.json.tmp.* (or anything else) beside archive.json. */
static int only_archive_json(void)
{
	DIR *d = opendir(state_dir);
	struct dirent *e;
	int ok = d != NULL, seen = 0;
	while (d && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (!strcmp(e->d_name, "archive.json"))
			seen = 1;
		else
			ok = 0;
	}
	if (d)
		closedir(d);
	return ok && seen;
}

static void test_round_trip(void)
{
	static const char src1[] = "#include <stdio.h>\n/* \"quoted\" \\ back\\slash\t*/\n"
				   "const char *s = \"caf\xc3\xa9 \xe2\x82\xac\";\r\n";
	static const char src2[] = "// Latin-1, not UTF-8: \xe9\xff\x80 and \x01\x7f\n";
	struct archive *a = archive_new(), *b = NULL;
	char err[PATH_MAX + 256], path[PATH_MAX + 32];
	char *text;
	size_t len;

	/* A missing state directory, or file, is an empty archive. */
	CHECK(archive_load(state_dir, &b, err, sizeof err) == 0 && b && archive_count(b) == 0);
	archive_free(b);
	b = NULL;

	CHECK(archive_offer(a, "256x256x256", "openmp+simd", 123.456789012345678, -0.1, 7,
			    "it7-p2-s3", src1) == 1);
	CHECK(archive_offer(a, "256x256x256", "openmp+simd", 100, 1, 8, "x", "slower") == 0);
	CHECK(archive_offer(a, "256x256x256", "openmp+simd", 200.5, 1e-300, 9, "it9-\"q\"",
			    src1) == 1);
	CHECK(archive_offer(a, "64x64x64", "none", 1.0 / 3.0, 1.0 / 3.0, 0, "\xc3\xa9", src2) == 1);
	CHECK(archive_offer(a, "64x64x64", "simd", 0, 0, 2, "", "") == 1);

	/* archive_save creates the state directory, and leaves only its file. */
	CHECK(archive_save(a, state_dir, err, sizeof err) == 0);
	CHECK(only_archive_json());
	CHECK(archive_save(a, state_dir, err, sizeof err) == 0); /* over an existing one */
	CHECK(only_archive_json());

	/* The file is JSON with a version, each cell's fields, the UTF-8 source as text. */
	snprintf(path, sizeof path, "%s/archive.json", state_dir);
	text = util_read_file(path, 0, &len);
	CHECK(text && len && text[len - 1] == '\n');
	if (text) {
		json_t *j = json_loads(text, 0, NULL), *c0;
		CHECK(json_integer_value(json_object_get(j, "version")) == 1);
		CHECK(json_array_size(json_object_get(j, "cells")) == 3);
		c0 = json_array_get(json_object_get(j, "cells"), 0);
		CHECK_STR(json_string_value(json_object_get(c0, "shape")), "64x64x64");
		CHECK(json_is_string(json_object_get(json_array_get(json_object_get(j, "cells"), 2),
						     "source")));
		CHECK(json_is_string(json_object_get(c0, "source_base64")));
		CHECK(json_object_get(c0, "source") == NULL);
		json_decref(j);
	}
	free(text);

	CHECK(archive_load(state_dir, &b, err, sizeof err) == 0);
	CHECK(b && archive_count(b) == archive_count(a));
	for (size_t i = 0; b && i < archive_count(a); i++) {
		const struct archive_cell *x = archive_cell(a, i), *y = archive_cell(b, i);
		CHECK(y != NULL);
		if (!y)
			continue;
		CHECK_STR(y->shape, x->shape);
		CHECK_STR(y->techs, x->techs);
		CHECK(y->gflops == x->gflops && y->reward == x->reward);
		CHECK(y->found_iter == x->found_iter && y->improved_iter == x->improved_iter);
		CHECK(y->offers == x->offers);
		CHECK_STR(y->sample_id, x->sample_id);
		CHECK_STR(y->source, x->source);
	}
	if (b && archive_count(b) == 3) {
		const struct archive_cell *y = archive_find(b, "256x256x256", "openmp+simd");
		CHECK(y && y->offers == 3 && y->found_iter == 7 && y->improved_iter == 9);
		CHECK(y && y->gflops == 200.5 && y->reward == 1e-300);
		CHECK_STR(y ? y->source : NULL, src1);
		y = archive_find(b, "64x64x64", "none");
		CHECK_STR(y ? y->source : NULL, src2);
		CHECK(y && y->gflops == 1.0 / 3.0);
		CHECK(archive_qd_score(b) == archive_qd_score(a));
	}
	/* A loaded archive takes offers like a new one. */
	CHECK(archive_offer(b, "64x64x64", "simd", 1, 1, 10, "z", "z") == 1);
	CHECK(archive_offer(b, "32x32x32", "none", 1, 1, 10, "z", "z") == 1);
	CHECK(archive_cell(b, 0) && !strcmp(archive_cell(b, 0)->shape, "32x32x32"));
	archive_free(b);

	/* An empty archive round-trips too. */
	archive_free(a);
	a = archive_new();
	CHECK(archive_save(a, state_dir, err, sizeof err) == 0 && only_archive_json());
	b = NULL;
	CHECK(archive_load(state_dir, &b, err, sizeof err) == 0 && b && archive_count(b) == 0);
	archive_free(b);
	archive_free(a);

	/* A save that cannot write says so and leaves nothing behind. */
	{
		char file[PATH_MAX + 32], sub[PATH_MAX + 64];
		FILE *f;
		snprintf(file, sizeof file, "%s/plain-file", tmp);
		snprintf(sub, sizeof sub, "%s/state", file);
		f = fopen(file, "w");
		if (f)
			fclose(f);
		a = archive_new();
		err[0] = '\0';
		CHECK(archive_save(a, sub, err, sizeof err) == -1 && strstr(err, file));
		archive_free(a);
		unlink(file);
	}
}

static void test_bad_files(void)
{
	char err[PATH_MAX + 256], path[PATH_MAX + 32];
	static const char *const bad[] = {
		"",
		"{",
		"[]",
		"{\"cells\":[]}",
		"{\"version\":\"1\",\"cells\":[]}",
		"{\"version\":1}",
		"{\"version\":1,\"cells\":{}}",
		"{\"version\":1,\"cells\":[1]}",
		"{\"version\":1,\"version\":1,\"cells\":[]}",
		"{\"version\":1,\"cells\":[{\"techs\":\"none\",\"gflops\":1,\"reward\":1,"
		"\"found_iter\":1,\"improved_iter\":1,\"offers\":1,\"sample_id\":\"\",\"source\":\"\"}]}",
		"{\"version\":1,\"cells\":[{\"shape\":\"\",\"techs\":\"none\",\"gflops\":1,\"reward\":1,"
		"\"found_iter\":1,\"improved_iter\":1,\"offers\":1,\"sample_id\":\"\",\"source\":\"\"}]}",
		"{\"version\":1,\"cells\":[{\"shape\":\"8x8x8\",\"techs\":\"none\",\"gflops\":-1,"
		"\"reward\":1,\"found_iter\":1,\"improved_iter\":1,\"offers\":1,\"sample_id\":\"\","
		"\"source\":\"\"}]}",
		"{\"version\":1,\"cells\":[{\"shape\":\"8x8x8\",\"techs\":\"none\",\"gflops\":1,"
		"\"reward\":1,\"found_iter\":1,\"improved_iter\":1,\"offers\":0,\"sample_id\":\"\","
		"\"source\":\"\"}]}",
		"{\"version\":1,\"cells\":[{\"shape\":\"8x8x8\",\"techs\":\"none\",\"gflops\":1,"
		"\"reward\":1,\"found_iter\":1,\"improved_iter\":1,\"offers\":1,\"sample_id\":\"\"}]}",
		"{\"version\":1,\"cells\":[{\"shape\":\"8x8x8\",\"techs\":\"none\",\"gflops\":1,"
		"\"reward\":1,\"found_iter\":1,\"improved_iter\":1,\"offers\":1,\"sample_id\":\"\","
		"\"source\":5,\"source_base64\":\"QQ==\"}]}",
		"{\"version\":1,\"cells\":[{\"shape\":\"8x8x8\",\"techs\":\"none\",\"gflops\":1,"
		"\"reward\":1,\"found_iter\":1,\"improved_iter\":1,\"offers\":1,\"sample_id\":\"\","
		"\"source_base64\":\"Q=Q=\"}]}",
		"{\"version\":1,\"cells\":[{\"shape\":\"8x8x8\",\"techs\":\"none\",\"gflops\":1,"
		"\"reward\":1,\"found_iter\":1,\"improved_iter\":1,\"offers\":1,\"sample_id\":\"\","
		"\"source\":\"a\\u0000b\"}]}",
		/* the same cell twice */
		"{\"version\":1,\"cells\":[{\"shape\":\"8x8x8\",\"techs\":\"none\",\"gflops\":1,"
		"\"reward\":1,\"found_iter\":1,\"improved_iter\":1,\"offers\":1,\"sample_id\":\"\","
		"\"source\":\"\"},{\"shape\":\"8x8x8\",\"techs\":\"none\",\"gflops\":2,"
		"\"reward\":1,\"found_iter\":1,\"improved_iter\":1,\"offers\":1,\"sample_id\":\"\","
		"\"source\":\"\"}]}",
	};

	snprintf(path, sizeof path, "%s/archive.json", state_dir);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int rc = load_text(bad[i], err, sizeof err);
		CHECK(rc == -1 && !strncmp(err, path, strlen(path)));
		if (rc != -1)
			fprintf(stderr, "  (case %zu)\n", i);
	}
	/* A wrong version says which. */
	CHECK(load_text("{\"version\":2,\"cells\":[]}", err, sizeof err) == -1);
	CHECK(strstr(err, path) && strstr(err, "version 2"));
	/* The message names the cell and the field. */
	CHECK(load_text(bad[11], err, sizeof err) == -1 && strstr(err, "cell 0") &&
	      strstr(err, "gflops"));

	/* What it does take: any order of cells, extra keys, base64 sources, integers. */
	CHECK(load_text("{\"version\":1,\"note\":\"x\",\"cells\":["
			"{\"shape\":\"9x9x9\",\"techs\":\"simd\",\"gflops\":3,\"reward\":-1,"
			"\"found_iter\":4,\"improved_iter\":4,\"offers\":2,\"sample_id\":\"p\","
			"\"source_base64\":\"aGk=\",\"extra\":true},"
			"{\"shape\":\"8x8x8\",\"techs\":\"none\",\"gflops\":1.5,\"reward\":0,"
			"\"found_iter\":0,\"improved_iter\":1,\"offers\":1,\"sample_id\":\"q\","
			"\"source\":\"x\"}]}",
			err, sizeof err) == 0);
	{
		struct archive *a = NULL;
		CHECK(archive_load(state_dir, &a, err, sizeof err) == 0);
		CHECK(a && archive_count(a) == 2);
		if (a && archive_count(a) == 2) {
			CHECK_STR(archive_cell(a, 0)->shape, "8x8x8");
			CHECK_STR(archive_cell(a, 1)->source, "hi");
			CHECK(archive_cell(a, 1)->offers == 2 && archive_cell(a, 1)->gflops == 3);
		}
		archive_free(a);
	}
	/* A path that is not a file is an error, not an empty archive. */
	{
		struct archive *a = NULL;
		unlink(path);
		CHECK(mkdir(path, 0755) == 0);
		CHECK(archive_load(state_dir, &a, err, sizeof err) == -1 && a == NULL &&
		      strstr(err, path));
		rmdir(path);
	}
}

/* Base64 of every length mod 3, through the file. */
static void test_base64_lengths(void)
{
	char err[PATH_MAX + 256], src[8];
	for (int n = 1; n <= 6; n++) {
		struct archive *a = archive_new(), *b = NULL;
		for (int i = 0; i < n; i++)
			src[i] = (char)(0xf0 + i); /* never UTF-8 */
		src[n] = '\0';
		CHECK(archive_offer(a, "8x8x8", "none", 1, 1, 1, "s", src) == 1);
		CHECK(archive_save(a, state_dir, err, sizeof err) == 0);
		CHECK(archive_load(state_dir, &b, err, sizeof err) == 0);
		CHECK(b && archive_count(b) == 1 && !strcmp(archive_cell(b, 0)->source, src));
		archive_free(a);
		archive_free(b);
	}
}

/* Many cells: order, look-ups and the file at scale. */
static void test_many(void)
{
	struct archive *a = archive_new(), *b = NULL;
	char err[PATH_MAX + 256], shape[32], techs[32], name[128];
	double qd = 0;
	int ok = 1;

	/* 40 shapes x 25 technique sets, offered in a scrambled order (7 is prime to 1000). */
	for (int k = 0; k < 1000; k++) {
		int i = (k * 7) % 1000, s = i / 25, t = i % 25;
		snprintf(shape, sizeof shape, "%dx%dx64", 16 * (s + 1), 8 * (s % 5 + 1));
		snprintf(techs, sizeof techs, "t%02d", t);
		if (archive_offer(a, shape, techs, (double)i, 0, k, "s", "src") != 1)
			ok = 0;
		qd += i;
	}
	CHECK(ok && archive_count(a) == 1000);
	/* A second round: only the even ones improve. */
	for (int i = 0; i < 1000; i++) {
		const struct archive_cell *c = archive_cell(a, (size_t)i);
		int r = archive_offer(a, c->shape, c->techs, c->gflops + (i % 2 ? 0 : 1), 0, 2000,
				      "t", "src2");
		if (r != (i % 2 ? 0 : 1))
			ok = 0;
		qd += i % 2 ? 0 : 1;
	}
	CHECK(ok && archive_count(a) == 1000);
	CHECK(fabs(archive_qd_score(a) - qd) < 1e-6);
	CHECK(archive_coverage(a, 4000) == 0.25);
	for (size_t i = 1; i < 1000; i++) {
		const struct archive_cell *x = archive_cell(a, i - 1), *y = archive_cell(a, i);
		int sx = atoi(x->shape), sy = atoi(y->shape);
		if (sx > sy || (sx == sy && strcmp(x->techs, y->techs) >= 0))
			ok = 0;
		archive_cell_name(y, name, sizeof name);
		if (archive_find_name(a, name) != y || y->offers != 2)
			ok = 0;
	}
	CHECK(ok);
	CHECK(archive_save(a, state_dir, err, sizeof err) == 0);
	CHECK(archive_load(state_dir, &b, err, sizeof err) == 0);
	CHECK(b && archive_count(b) == 1000);
	for (size_t i = 0; b && i < 1000; i++) {
		const struct archive_cell *x = archive_cell(a, i), *y = archive_cell(b, i);
		if (!y || strcmp(x->shape, y->shape) || strcmp(x->techs, y->techs) ||
		    x->gflops != y->gflops || x->improved_iter != y->improved_iter ||
		    x->found_iter != y->found_iter || strcmp(x->source, y->source))
			ok = 0;
	}
	CHECK(ok);
	archive_free(a);
	archive_free(b);
}

int main(void)
{
	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(state_dir, sizeof state_dir, "%s/run/state", tmp);

	test_offers();
	test_order_and_names();
	test_round_trip();
	test_bad_files();
	test_base64_lengths();
	test_many();

	util_rmtree(tmp);
	return CHECK_DONE();
}
