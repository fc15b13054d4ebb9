/* machine.h - what this node can do: its cores and its theoretical peak. */
#ifndef PERFRL_MACHINE_H
#define PERFRL_MACHINE_H

#include <stddef.h>

/* CPUs in this process's affinity mask (Slurm's allocation, when under Slurm). */
int machine_cpus(void);

/*
 * An upper bound on this node's double-precision GFLOPS for ncpus cores:
 * cores x max clock x flops/cycle (2 FMA units of the widest vector ISA the CPU reports).
 * When only the nominal clock is known (VMs report it in /proc/cpuinfo), turbo is allowed
 * for with a factor 2. Measurements above this are defects, never rewards.
 * *how gets a short description of where the number came from.
 */
double machine_peak_gflops(int ncpus, const char **how);

/*
 * This node's measured double-precision peak for ncpus cores: the best of many ~0.5 ms bursts
 * of independent FMAs in the widest vector ISA the CPU has, on one core, times ncpus. The best
 * burst is one no other process interrupted, and one core alone runs at its highest turbo: the
 * figure errs high, never low, which is what a bound on honest measurements needs. Probed once
 * per node and CPU (cached beside OpenBLAS's core choice, see machine_cache_file), about 50 ms.
 * *how: a short description ("AVX-512 FMA bursts, 1 core x 2"). 0 when it cannot be measured.
 */
double machine_measured_peak(int ncpus, const char **how);

/* A node-local cache file for what perfrl learns about this node once: PERFRL_BLAS_CACHE's
 * directory if set, else /var/tmp/perfrl-UID/; NAME-HOST.json. NULL when no such directory. */
const char *machine_cache_file(const char *name, char *buf, size_t len);

#endif
