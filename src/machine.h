/* machine.h - what this node can do: its cores and its theoretical peak. */
#ifndef PERFRL_MACHINE_H
#define PERFRL_MACHINE_H

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

#endif
