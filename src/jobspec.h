/* jobspec.h - what a configuration asks of Slurm and of perfrl bench. */
#ifndef PERFRL_JOBSPEC_H
#define PERFRL_JOBSPEC_H

#include "conf.h"
#include "slurm_client.h"

/* The resources of the GPU step (gpu = 1) or of the CPU benchmark step (gpu = 0). */
void jobspec_component(const struct perfrl_config *c, int gpu, struct sc_component *out);
/* perfrl bench's options for the configuration's bench keys (malloc'd). */
char *jobspec_bench_args(const struct perfrl_config *c);

/* The trl driver's head of options for gpu-step: "--trl --python 'PY' --model 'MODEL'" with
 * gpu_step.python and gpu_step.model_path made absolute against the current directory (the
 * job runs elsewhere; a command name without '/' stays one, looked up in the job's PATH).
 * malloc'd, or NULL with a one-line error reported (a quote in a path, a path too long). */
char *jobspec_trl_head(const struct perfrl_config *c);

/* The whole environment of a perfrl job, into env (at least JOBSPEC_ENV_MAX entries, NULL-
 * terminated): HOME, USER and perfrl's own PERFRL_* settings pass through, and the build cache is
 * PERFRL_CACHE_DIR=cache_dir unless the caller's environment names one. The strings are
 * environ's, or cache (at least PATH_MAX + 32 bytes), which must outlive env. */
#define JOBSPEC_ENV_MAX 64
void jobspec_env(char **env, char *cache, const char *cache_dir);

#endif
