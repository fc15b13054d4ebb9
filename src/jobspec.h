/* jobspec.h - what a configuration asks of Slurm and of perfrl bench. */
#ifndef PERFRL_JOBSPEC_H
#define PERFRL_JOBSPEC_H

#include "conf.h"
#include "slurm_client.h"

/* The resources of the GPU step (gpu = 1) or of the CPU benchmark step (gpu = 0). */
void jobspec_component(const struct perfrl_config *c, int gpu, struct sc_component *out);
/* perfrl bench's options for the configuration's bench keys (malloc'd). */
char *jobspec_bench_args(const struct perfrl_config *c);

#endif
