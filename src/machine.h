/* machine.h - what this node can do: its cores and its theoretical peak. */
#ifndef PERFRL_MACHINE_H
#define PERFRL_MACHINE_H

#include <stddef.h>

/* CPUs in this process's affinity mask (Slurm's allocation, when under Slurm). */
int machine_cpus(void);

/* What /proc/cpuinfo says of this node, read once per process: the first CPU's model name
 * ("" when unknown) and flags (" f1 f2 ... ", each word between spaces), and the highest
 * "cpu MHz" of any CPU (0 when unknown). */
struct machine_cpu {
	char model[256];
	const char *flags;
	double max_mhz;
};
const struct machine_cpu *machine_cpu(void);
/* 1 when the first CPU lists flag, as a whole word ("avx512f", not "avx512fp16"). */
int machine_has_flag(const char *flag);

/*
 * An upper bound on this node's double-precision GFLOPS for ncpus cores:
 * cores x max clock x flops/cycle (2 FMA units of the widest vector ISA the CPU reports).
 * When only the nominal clock is known (VMs report it in /proc/cpuinfo), turbo is allowed
 * for with a factor 2. Measurements above this are defects, never rewards.
 * *how gets a short description of where the number came from.
 */
double machine_peak_gflops(int ncpus, const char **how);

/*
 * This node's measured double-precision peak for ncpus cores: the best of 60 half-millisecond
 * bursts of independent FMAs in the widest vector ISA the CPU has, on one core, times ncpus.
 * The best burst is one that nothing interrupted, and one core alone runs at its highest turbo:
 * the figure errs high rather than low, which a bound on honest measurements needs. Probed once
 * per node and CPU and cached (machine_cache_file); fresh: probe again now, and raise the cache
 * if this probe finds more (a probe whose core was shared errs low). About 30 ms a probe.
 * *how: a short description ("measured: AVX-512 FMA bursts, 86.0 GFLOPS a core x 2").
 */
double machine_measured_peak(int ncpus, int fresh, const char **how);

/* A node-local cache file for what perfrl learns about this node once: PERFRL_BLAS_CACHE's
 * directory if set, else /var/tmp/perfrl-UID/; NAME-HOST.json. NULL when no such directory. */
const char *machine_cache_file(const char *name, char *buf, size_t len);

#endif
