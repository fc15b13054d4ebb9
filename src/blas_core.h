/* blas_core.h - which OpenBLAS core runs here, and choosing the fastest correct one. */
#ifndef PERFRL_BLAS_CORE_H
#define PERFRL_BLAS_CORE_H

/*
 * OpenBLAS picks its kernels (its "core") from the CPU model at load time. A distribution's
 * OpenBLAS does not know CPUs newer than itself and falls back to a generic core: Debian 12's
 * 0.3.21 runs Prescott (SSE3) on Sapphire/Emerald Rapids, 4x below the library's own speed.
 * Every baseline, and the reference every verdict is checked against, runs on that core.
 */

/* The running core (openblas_get_corename) and build (openblas_get_config: version, threading). */
const char *blascore_name(void);
const char *blascore_config(void);
/* How the running core came to be: "default" (OpenBLAS's own choice), "user" (OPENBLAS_CORETYPE
 * set by the user) or "chosen" (by blascore_ensure). */
const char *blascore_how(void);

/*
 * Before any BLAS work of `perfrl bench`: when OpenBLAS runs a core below the CPU's widest vector
 * ISA and the user has not set OPENBLAS_CORETYPE, try the cores that match the CPU's features,
 * each in a child process that checks its results on odd shapes against a plain loop and times
 * it; keep the fastest correct one (cached per node, CPU and library: machine_cache_file), say
 * so once, set OPENBLAS_CORETYPE and re-execute this program with
 * argv. Returns when there is nothing to change, or when no candidate did better (said once).
 */
void blascore_ensure(char **argv);

/* `perfrl blas-probe [THREADS]` (internal): the running core's verdict as one JSON line,
 * {"core", "correct", "detail", "gflops"}. */
int blascore_probe_main(int argc, char **argv);

#endif
