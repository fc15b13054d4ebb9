/* machine.c - what this node can do: its cores and its theoretical peak. */
#include "config.h"
#include "machine.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
