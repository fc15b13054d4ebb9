/* jobspec.c - what a configuration asks of Slurm and of perfrl bench, for the jobs that
 * perfrl run and perfrl eval submit. */
#include "config.h"
#include "jobspec.h"
#include "reward.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *jobspec_bench_args(const struct perfrl_config *c)
{
	char peak[64] = "", cc[PATH_MAX + 8] = "";
	if (c->bench.peak_gflops > 0)
		snprintf(peak, sizeof peak, "--peak %g", c->bench.peak_gflops);
	if (c->bench.cc && *c->bench.cc)
		snprintf(cc, sizeof cc, "--cc '%s'", c->bench.cc);
	return util_xasprintf("--budget %g --timeout %g --cv %g --reward %s --mem-limit %d%s %s %s%s%s%s",
			      c->bench.budget_s, c->bench.timeout_s, c->bench.cv_percent,
			      reward_mode_name((enum reward_mode)c->bench.reward), c->bench.mem_limit_mb,
			      c->bench.interleave ? "" : " --no-interleave", peak, cc, c->bench.cflags && *c->bench.cflags ? " --cflags '" : "",
			      c->bench.cflags && *c->bench.cflags ? c->bench.cflags : "",
			      c->bench.cflags && *c->bench.cflags ? "'" : "");
}

char *jobspec_trl_head(const struct perfrl_config *c)
{
	const char *py = c->gpu_step.python, *model = c->gpu_step.model_path;
	char cwd[PATH_MAX], apy[PATH_MAX], amodel[PATH_MAX];
	int rel_py = strchr(py, '/') && py[0] != '/', rel_model = *model && model[0] != '/';

	/* Quotes would break the job script's quoting. */
	if (strchr(py, '\'') || strchr(model, '\''))
		return util_error("gpu_step.python and gpu_step.model_path may not contain a quote (')"),
		       NULL;
	if ((rel_py || rel_model) && !getcwd(cwd, sizeof cwd))
		return util_error("getcwd: %s", strerror(errno)), NULL;
	if (util_pathf(apy, sizeof apy, "%s%s%s", rel_py ? cwd : "", rel_py ? "/" : "", py) != 0 ||
	    util_pathf(amodel, sizeof amodel, "%s%s%s", rel_model ? cwd : "", rel_model ? "/" : "",
		       model) != 0)
		return util_error("gpu_step.python or gpu_step.model_path too long"), NULL;
	return util_xasprintf("--trl --python '%s' --model '%s'", apy, amodel);
}

void jobspec_component(const struct perfrl_config *f, int gpu, struct sc_component *c)
{
	memset(c, 0, sizeof *c);
	c->account = f->slurm.account && *f->slurm.account ? f->slurm.account : NULL;
	c->qos = f->slurm.qos && *f->slurm.qos ? f->slurm.qos : NULL;
	if (gpu) {
		c->partition = f->slurm.gpu.partition;
		c->gres = f->slurm.gpu.gres && *f->slurm.gpu.gres ? f->slurm.gpu.gres : NULL;
		c->nodes = f->slurm.gpu.nodes;
		c->ntasks = 1;
		c->cpus_per_task = f->slurm.gpu.cpus_per_task;
		c->mem_mb = f->slurm.gpu.mem_mb;
		c->time_limit_min = f->slurm.gpu.time_limit_min;
	} else {
		c->partition = f->slurm.cpu.partition;
		c->ntasks = f->slurm.cpu.tasks;
		c->cpus_per_task = f->slurm.cpu.cpus_per_task;
		c->mem_mb = f->slurm.cpu.mem_mb;
		c->time_limit_min = f->slurm.cpu.time_limit_min;
		c->exclusive = f->slurm.cpu.exclusive;
	}
}

void jobspec_env(char **env, char *cache, const char *cache_dir)
{
	extern char **environ;
	int k = 0;
	for (char **e = environ; *e && k < JOBSPEC_ENV_MAX - 2; e++)
		if (!strncmp(*e, "HOME=", 5) || !strncmp(*e, "USER=", 5) || !strncmp(*e, "PERFRL_", 7))
			env[k++] = *e;
	if (!getenv("PERFRL_CACHE_DIR")) {
		snprintf(cache, PATH_MAX + 32, "PERFRL_CACHE_DIR=%s", cache_dir);
		env[k++] = cache;
	}
	env[k] = NULL;
}
