/* test_measure.c - the random check shapes cover every tail, and a kernel gets no more CPUs
 * than --threads (a real build and a real sandboxed run). */
#include "config.h"
#include "../lib/check.h"
#include "build.h"
#include "measure.h"
#include "util.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void check_shapes(struct verify_csprng *g)
{
	struct shape s[MEASURE_RANDOM_SHAPES];
	int seen[3] = {0, 0, 0}, big_mn = 0, deep_k = 0, deep_odd_k = 0;
	double flops = 0;

	measure_random_shapes(g, s);
	for (int i = 0; i < MEASURE_RANDOM_SHAPES; i++) {
		int v[3] = {s[i].m, s[i].n, s[i].k};
		for (int d = 0; d < 3; d++) {
			CHECK(v[d] >= 1 && v[d] <= 400);
			seen[d] |= 1 << (v[d] % 8);
		}
		big_mn += s[i].m > 128 && s[i].n > 128 && s[i].m % 2 && s[i].n % 2;
		deep_k += s[i].k > 256;
		deep_odd_k += s[i].k > 256 && s[i].k % 2;
		flops += 2.0 * s[i].m * s[i].n * s[i].k;
	}
	/* Every residue mod 8 in each dimension; the tile and block tails. */
	CHECK(seen[0] == 0xff && seen[1] == 0xff && seen[2] == 0xff);
	CHECK(big_mn >= 1 && deep_k >= 2 && deep_odd_k >= 1);
	/* Cheap: tens of milliseconds for a naive kernel at worst. */
	CHECK(flops <= 40e6);
}

static const char *harness_path(void)
{
	static char path[PATH_MAX];
	char self[PATH_MAX];
	ssize_t n;
	if (getenv("PERFRL_HARNESS"))
		return getenv("PERFRL_HARNESS");
	/* Run by hand from the build tree: tests/unit/test_measure, two levels below src/. */
	n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n <= 0)
		return NULL;
	self[n] = '\0';
	*strrchr(self, '/') = '\0';
	snprintf(path, sizeof path, "%.4000s/../../src/perfrl-harness", self);
	return path;
}

/* A kernel that answers wrong when its threads ran on more CPUs than OMP_NUM_THREADS. */
static void check_threads(void)
{
	const char *path = PERFRL_SRCDIR "/tests/kernels/hostile_wide_threads.c";
	char cache[] = "/tmp/perfrl-test-measure-XXXXXX";
	struct build_opts bo = {0};
	struct build_result br;
	struct measure_opts mo;
	struct measurement m;
	size_t len;
	char *src = util_read_file(path, 1 << 20, &len), cmd[64];

	CHECK(src != NULL);
	CHECK(mkdtemp(cache) != NULL);
	bo.cache_dir = cache;
	bo.timeout_s = 60;
	if (!src || build_kernel(src, len, &bo, &br) != 0 || br.status != STATUS_OK) {
		CHECK(!"hostile_wide_threads.c builds");
		goto out;
	}
	measure_defaults(&mo);
	mo.harness = harness_path();
	mo.lock_path = NULL;
	mo.shapes[0] = (struct shape){64, 64, 64};
	mo.budget_s = 0.2;
	mo.timeout_s = 5;
	mo.threads = 1;
	CHECK(measure_kernel(br.so_path, &mo, &m) == 0);
	CHECK(m.status == STATUS_OK);
	if (m.status != STATUS_OK)
		fprintf(stderr, "hostile_wide_threads with threads = 1: %s (%s)\n",
			status_name(m.status), m.detail);
out:
	snprintf(cmd, sizeof cmd, "rm -rf %s", cache);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", cache);
	free(src);
}

int main(void)
{
	struct verify_csprng g, a, b;
	uint64_t seed = 99;
	struct shape sa[MEASURE_RANDOM_SHAPES], sb[MEASURE_RANDOM_SHAPES];

	CHECK(verify_csprng_init(&g, NULL) == 0);
	for (int i = 0; i < 2000; i++)
		check_shapes(&g);
	verify_csprng_free(&g);
	/* --seed reproduces the shapes (and the inputs); without it they are new each time. */
	CHECK(verify_csprng_init(&a, &seed) == 0 && verify_csprng_init(&b, &seed) == 0);
	measure_random_shapes(&a, sa);
	measure_random_shapes(&b, sb);
	CHECK(memcmp(sa, sb, sizeof sa) == 0);
	verify_csprng_free(&a);
	verify_csprng_free(&b);
	check_threads();
	return CHECK_DONE();
}
