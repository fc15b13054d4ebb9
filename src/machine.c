/* machine.c - what this node can do: its cores and its theoretical peak. */
#include "config.h"
#include "machine.h"

#include "util.h"

#include <immintrin.h>
#include <jansson.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int machine_cpus(void)
{
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof set, &set) != 0)
		return 1;
	return CPU_COUNT(&set) > 0 ? CPU_COUNT(&set) : 1;
}

static double read_khz(const char *path)
{
	FILE *f = fopen(path, "r");
	double v = 0;
	if (f) {
		if (fscanf(f, "%lf", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v;
}

double machine_peak_gflops(int ncpus, const char **how)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[8192];
	double mhz = 0, ghz, flops = 4; /* SSE2: 2 doubles x 2 units */
	int have_flags = 0;

	while (f && fgets(line, sizeof line, f)) {
		double v;
		if (!strncmp(line, "cpu MHz", 7) && sscanf(strchr(line, ':') + 1, "%lf", &v) == 1 && v > mhz)
			mhz = v;
		if (!have_flags && !strncmp(line, "flags", 5)) {
			have_flags = 1;
			if (strstr(line, " avx512f"))
				flops = 32;
			else if (strstr(line, " avx2") && strstr(line, " fma"))
				flops = 16;
			else if (strstr(line, " avx"))
				flops = 8;
		}
	}
	if (f)
		fclose(f);
	ghz = read_khz("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq") / 1e6;
	if (ghz > 0) {
		*how = "cpufreq max clock";
	} else if (mhz > 0) {
		ghz = mhz / 1000 * 2;
		*how = "nominal clock x2 for turbo";
	} else {
		ghz = 5.0;
		*how = "no clock known, 5 GHz assumed";
	}
	return ncpus * ghz * flops;
}

/* ---- the measured peak ------------------------------------------------------------------- */

const char *machine_cache_file(const char *name, char *buf, size_t len)
{
	const char *e = getenv("PERFRL_NODE_CACHE");
	char dir[512];
	if (e && *e)
		snprintf(dir, sizeof dir, "%s", e);
	else
		snprintf(dir, sizeof dir, "/var/tmp/perfrl-%u", (unsigned)geteuid());
	if (util_mkdirs(dir, 0700) != 0)
		return NULL;
	return util_pathf(buf, len, "%s/%s-%s.json", dir, name, util_hostname()) == 0 ? buf : NULL;
}

/* 12 independent chains: FMA's latency (4 cycles) x its ports (2) needs 8 in flight. The
 * results are summed and returned so that nothing is optimised away. */
#define CHAINS 12

__attribute__((target("avx512f"))) static double burst_avx512(long iters)
{
	__m512d a[CHAINS], b = _mm512_set1_pd(1.0000001), c = _mm512_set1_pd(1e-9), s;
	for (int i = 0; i < CHAINS; i++)
		a[i] = _mm512_set1_pd(i);
	for (long n = 0; n < iters; n++)
#pragma GCC unroll 12
		for (int i = 0; i < CHAINS; i++)
			a[i] = _mm512_fmadd_pd(a[i], b, c);
	s = a[0];
	for (int i = 1; i < CHAINS; i++)
		s = _mm512_add_pd(s, a[i]);
	return _mm512_reduce_add_pd(s);
}

__attribute__((target("avx2,fma"))) static double burst_avx2(long iters)
{
	__m256d a[CHAINS], b = _mm256_set1_pd(1.0000001), c = _mm256_set1_pd(1e-9), s;
	double out[4];
	for (int i = 0; i < CHAINS; i++)
		a[i] = _mm256_set1_pd(i);
	for (long n = 0; n < iters; n++)
#pragma GCC unroll 12
		for (int i = 0; i < CHAINS; i++)
			a[i] = _mm256_fmadd_pd(a[i], b, c);
	s = a[0];
	for (int i = 1; i < CHAINS; i++)
		s = _mm256_add_pd(s, a[i]);
	_mm256_storeu_pd(out, s);
	return out[0] + out[1] + out[2] + out[3];
}

/* Without FMA: a multiply and an add per element, two flops, on SSE2's two lanes. */
static double burst_sse2(long iters)
{
	__m128d a[CHAINS], b = _mm_set1_pd(1.0000001), c = _mm_set1_pd(1e-9), s;
	double out[2];
	for (int i = 0; i < CHAINS; i++)
		a[i] = _mm_set1_pd(i);
	for (long n = 0; n < iters; n++)
#pragma GCC unroll 12
		for (int i = 0; i < CHAINS; i++)
			a[i] = _mm_add_pd(_mm_mul_pd(a[i], b), c);
	s = a[0];
	for (int i = 1; i < CHAINS; i++)
		s = _mm_add_pd(s, a[i]);
	_mm_storeu_pd(out, s);
	return out[0] + out[1];
}

volatile double machine_sink; /* where the bursts' sums go */

/* One core's GFLOPS: the fastest of 60 bursts. */
static double probe_core(const char **isa)
{
	double (*burst)(long);
	int lanes;
	const long iters = 200000; /* about 0.5 ms a burst */
	double best = 1e9;
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx512f")) {
		burst = burst_avx512, lanes = 8, *isa = "AVX-512 FMA";
	} else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
		burst = burst_avx2, lanes = 4, *isa = "AVX2 FMA";
	} else {
		burst = burst_sse2, lanes = 2, *isa = "SSE2 multiply-add";
	}
	machine_sink = burst(iters); /* warm: the wide units power up, the clock settles */
	for (int r = 0; r < 60; r++) {
		double t0 = util_now(), t;
		machine_sink = burst(iters);
		t = util_now() - t0;
		best = t < best ? t : best;
	}
	return 2.0 * lanes * CHAINS * (double)iters / best / 1e9;
}

double machine_measured_peak(int ncpus, const char **how)
{
	static char text[96];
	static double per_core;
	static const char *isa;
	char path[600], model[256] = "";
	char line[512];
	FILE *f;
	json_t *doc;

	if (!per_core) {
		/* The cache is keyed by the CPU's model and this perfrl's probe. */
		if ((f = fopen("/proc/cpuinfo", "r"))) {
			while (fgets(line, sizeof line, f))
				if (!strncmp(line, "model name", 10)) {
					snprintf(model, sizeof model, "%.200s", line);
					break;
				}
			fclose(f);
		}
		model[strcspn(model, "\n")] = '\0';
		if (machine_cache_file("peak", path, sizeof path) &&
		    (doc = json_load_file(path, 0, NULL))) {
			if (!strcmp(json_string_value(json_object_get(doc, "key")) ?: "", model) &&
			    json_number_value(json_object_get(doc, "per_core_gflops")) > 0) {
				per_core = json_number_value(json_object_get(doc, "per_core_gflops"));
				snprintf(text, sizeof text, "%.40s", json_string_value(json_object_get(doc, "isa")) ?: "?");
				isa = text;
			}
			json_decref(doc);
		}
		if (!per_core) {
			per_core = probe_core(&isa);
			if (machine_cache_file("peak", path, sizeof path)) {
				doc = json_pack("{s:s, s:f, s:s}", "key", model, "per_core_gflops", per_core,
						"isa", isa);
				char *s = json_dumps(doc, JSON_INDENT(1));
				if (s)
					util_write_atomic(path, s, strlen(s));
				free(s);
				json_decref(doc);
			}
		}
	}
	if (how) {
		static char h[128];
		snprintf(h, sizeof h, "measured: %s bursts, %.1f GFLOPS a core x %d", isa, per_core, ncpus);
		*how = h;
	}
	return per_core * ncpus;
}
