/* conf.h - perfrl.conf: every key in one table, read with libconfig, printed back. */
#ifndef PERFRL_CONF_H
#define PERFRL_CONF_H

/* Not "config.h": that name is autoconf's, and #include "config.h" in src/ would find this file. */

#include <stddef.h>
#include <stdio.h>

enum config_gpu_command { CONFIG_GPU_BUILTIN, CONFIG_GPU_TRL, CONFIG_GPU_FIXED };

struct config_list {
	char **v; /* v[n] is NULL */
	int n;
};

/* The effective configuration. Strings are owned (config_free). Booleans are ints 0/1. The keys,
 * their defaults and bounds are the table in conf.c; doc/perfrl.conf.5 describes each. */
struct perfrl_config {
	char *run_dir;
	int iterations;
	int seed;
	char *stages;
	struct {
		char *account, *qos, *job_name_prefix;
		struct {
			char *partition, *gres;
			int nodes, cpus_per_task, mem_mb, time_limit_min;
		} gpu;
		struct {
			char *partition;
			int tasks, cpus_per_task, mem_mb, time_limit_min, exclusive;
		} cpu;
		int retry_max, poll_interval_s;
		/* faults: see perfrl.conf(5) and perfrl-run(1) */
		int done_grace_s, task_stale_s, status_interval_s;
	} slurm;
	struct {
		int command; /* enum config_gpu_command */
		int group_size, prompts_per_iteration, rounds;
		int keep_checkpoints; /* 0: keep all */
		int overlap; /* builtin: draw round r+1 before round r's update */
		double learning_rate, clip, kl_beta, prior_bias;
		char *model_path, *python;
		char *args; /* more trl driver flags, checked shell words */
	} gpu_step;
	struct {
		struct config_list shapes; /* "MxNxK", each checked */
		double budget_s, timeout_s, cv_percent;
		int reward; /* enum reward_mode (reward.h): gflops, log, ratio */
		double peak_gflops;
		int mem_limit_mb;
		char *cc, *cflags;
		int interleave; /* time a group's kernels call by call in turn (perfrl bench --interleave) */
	} bench;
	struct {
		double rejected, compile_error, timeout, runtime_error, wrong_answer;
	} reward;
	struct {
		int elite_feedback;
		char *prompt_template; /* templates/prompt.txt or another, prompt.h's keys */
	} sqd;
};

/* Fill c with the defaults. */
void config_defaults(struct perfrl_config *c);
/* The defaults, then the settings of the file at path (NULL: defaults only). Returns 0, or -1
 * with a one-line message "FILE:LINE: ..." in err; then c holds nothing to free. */
int config_load(const char *path, struct perfrl_config *c, char *err, size_t errlen);
/* Every key of c in libconfig syntax, each with its doc as a comment; 0, or -1 on a write error. */
int config_print(FILE *f, const struct perfrl_config *c);
/* Free the strings of c (harmless twice). */
void config_free(struct perfrl_config *c);

#endif
