/* machine.c - what this node can do: its cores and its theoretical peak. */
#include "config.h"
#include "machine.h"

#include "util.h"

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

const struct machine_cpu *machine_cpu(void)
{
	static struct machine_cpu cpu;
	static int read;
	FILE *f;
	char *line = NULL, *flags = NULL;
	size_t cap = 0;

	if (read)
		return &cpu;
	read = 1;
	f = fopen("/proc/cpuinfo", "r");
	while (f && getline(&line, &cap, f) > 0) {
		char *colon = strchr(line, ':');
		double v;
		if (!colon)
			continue;
		line[strcspn(line, "\n")] = '\0';
		if (!cpu.model[0] && !strncmp(line, "model name", 10))
			snprintf(cpu.model, sizeof cpu.model, "%s", colon[1] == ' ' ? colon + 2 : colon + 1);
		else if (!flags && !strncmp(line, "flags", 5))
			flags = util_xasprintf(" %s ", colon + 1);
		else if (!strncmp(line, "cpu MHz", 7) && sscanf(colon + 1, "%lf", &v) == 1 && v > cpu.max_mhz)
			cpu.max_mhz = v;
	}
	free(line);
	if (f)
		fclose(f);
	cpu.flags = flags ? flags : " "; /* kept for the process's life */
	return &cpu;
}

int machine_has_flag(const char *flag)
{
	char word[64];
	snprintf(word, sizeof word, " %s ", flag);
	return strstr(machine_cpu()->flags, word) != NULL;
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
	double mhz = machine_cpu()->max_mhz, ghz, flops = 4; /* SSE2: 2 doubles x 2 units */

	if (machine_has_flag("avx512f"))
		flops = 32;
	else if (machine_has_flag("avx2") && machine_has_flag("fma"))
		flops = 16;
	else if (machine_has_flag("avx"))
		flops = 8;
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

/*
 * The bursts are assembly on purpose: the figure must not depend on how perfrl was built (a
 * sanitized or -O0 build of the same loop in C keeps its accumulators in memory and measures a
 * tenth of the peak, which would turn honest kernels into "defects"). 12 independent chains:
 * FMA's latency (4 cycles) x its ports (2) needs 8 in flight. Zeros in, zeros out: no
 * overflow, no denormals, and the units take no shortcut for them.
 */
#define CHAINS 12
#define REG12(op, s, d) op " " s ", %%" d "0\n\t" op " " s ", %%" d "1\n\t" op " " s ", %%" d "2\n\t" \
	op " " s ", %%" d "3\n\t" op " " s ", %%" d "4\n\t" op " " s ", %%" d "5\n\t" op " " s ", %%" d "6\n\t" \
	op " " s ", %%" d "7\n\t" op " " s ", %%" d "8\n\t" op " " s ", %%" d "9\n\t" op " " s ", %%" d "10\n\t" \
	op " " s ", %%" d "11\n\t"
#define CLOBBERS "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", \
	"xmm10", "xmm11", "xmm12", "xmm13", "cc"

static void burst_avx512(long iters)
{
	__asm__ volatile("vpxorq %%zmm12, %%zmm12, %%zmm12\n\t"
			 "vpxorq %%zmm13, %%zmm13, %%zmm13\n\t"
			 REG12("vmovapd", "%%zmm12", "zmm")
			 "1:\n\t"
			 REG12("vfmadd231pd %%zmm12,", "%%zmm13", "zmm")
			 "dec %0\n\t"
			 "jnz 1b\n\t"
			 : "+r"(iters) : : CLOBBERS);
}

static void burst_avx2(long iters)
{
	__asm__ volatile("vxorpd %%ymm12, %%ymm12, %%ymm12\n\t"
			 "vxorpd %%ymm13, %%ymm13, %%ymm13\n\t"
			 REG12("vmovapd", "%%ymm12", "ymm")
			 "1:\n\t"
			 REG12("vfmadd231pd %%ymm12,", "%%ymm13", "ymm")
			 "dec %0\n\t"
			 "jnz 1b\n\t"
			 "vzeroupper\n\t"
			 : "+r"(iters) : : CLOBBERS);
}

/* Without FMA: six chains of multiplies and six of adds, independent, one flop each a lane. */
static void burst_sse2(long iters)
{
	__asm__ volatile("xorpd %%xmm12, %%xmm12\n\t"
			 "xorpd %%xmm13, %%xmm13\n\t"
			 REG12("movapd", "%%xmm12", "xmm")
			 "1:\n\t"
			 "mulpd %%xmm13, %%xmm0\n\t mulpd %%xmm13, %%xmm1\n\t mulpd %%xmm13, %%xmm2\n\t"
			 "mulpd %%xmm13, %%xmm3\n\t mulpd %%xmm13, %%xmm4\n\t mulpd %%xmm13, %%xmm5\n\t"
			 "addpd %%xmm13, %%xmm6\n\t addpd %%xmm13, %%xmm7\n\t addpd %%xmm13, %%xmm8\n\t"
			 "addpd %%xmm13, %%xmm9\n\t addpd %%xmm13, %%xmm10\n\t addpd %%xmm13, %%xmm11\n\t"
			 "dec %0\n\t"
			 "jnz 1b\n\t"
			 : "+r"(iters) : : CLOBBERS);
}

/* One core's GFLOPS: the fastest of 60 bursts. */
static double probe_core(const char **isa)
{
	void (*burst)(long);
	double flops_per_iter, best = 1e9;
	const long iters = 200000; /* about 0.5 ms a burst */
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx512f")) {
		burst = burst_avx512, flops_per_iter = 2.0 * 8 * CHAINS, *isa = "AVX-512 FMA";
	} else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
		burst = burst_avx2, flops_per_iter = 2.0 * 4 * CHAINS, *isa = "AVX2 FMA";
	} else {
		burst = burst_sse2, flops_per_iter = 2.0 * CHAINS, *isa = "SSE2 multiply and add";
	}
	burst(iters); /* warm: the wide units power up, the clock settles */
	for (int r = 0; r < 60; r++) {
		double t0 = util_now(), t;
		burst(iters);
		t = util_now() - t0;
		best = t < best ? t : best;
	}
	return flops_per_iter * (double)iters / best / 1e9;
}

/* The cache's key: the CPU's model and the probe's own version (a changed probe measures again). */
static void peak_key(char *key, size_t len)
{
	snprintf(key, len, "%.200s | fma-asm-1", machine_cpu()->model);
}

double machine_measured_peak(int ncpus, int fresh, const char **how)
{
	static char text[48], h[128];
	static double per_core;
	static const char *isa;
	char path[600], key[256];
	json_t *doc;

	peak_key(key, sizeof key);
	if (!per_core && machine_cache_file("peak", path, sizeof path) &&
	    (doc = json_load_file(path, 0, NULL))) {
		if (!strcmp(json_string_value(json_object_get(doc, "key")) ?: "", key) &&
		    json_number_value(json_object_get(doc, "per_core_gflops")) > 0) {
			per_core = json_number_value(json_object_get(doc, "per_core_gflops"));
			snprintf(text, sizeof text, "%.40s", json_string_value(json_object_get(doc, "isa")) ?: "?");
			isa = text;
		}
		json_decref(doc);
	}
	if (!per_core || fresh) {
		const char *nominal_how, *probed_isa;
		double nominal = machine_peak_gflops(1, &nominal_how), got = probe_core(&probed_isa);
		/* A core below a quarter of its nominal figure was not measured, it was starved:
		 * the nominal bound stands, said so, and nothing is cached. */
		if (got < nominal / 4 && !per_core) {
			util_info("warning: the peak probe measured %.1f GFLOPS a core against a nominal "
				  "%.1f (a busy node?); using the nominal figure", got, nominal);
			snprintf(h, sizeof h, "nominal: the probe was starved at %.1f a core", got);
			if (how)
				*how = h;
			return nominal * ncpus;
		}
		/* The cache only ever rises: a probe that shared its core errs low. */
		if (got > per_core) {
			per_core = got;
			isa = probed_isa;
			if (machine_cache_file("peak", path, sizeof path)) {
				char *js;
				doc = json_pack("{s:s, s:f, s:s}", "key", key, "per_core_gflops", per_core,
						"isa", isa);
				if ((js = json_dumps(doc, JSON_INDENT(1))))
					util_write_atomic(path, js, strlen(js));
				free(js);
				json_decref(doc);
			}
		}
	}
	snprintf(h, sizeof h, "measured: %s bursts, %.1f GFLOPS a core x %d", isa, per_core, ncpus);
	if (how)
		*how = h;
	return per_core * ncpus;
}
