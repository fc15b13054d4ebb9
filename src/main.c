/* main.c - perfrl's entry point: dispatches subcommands. */
#include "config.h"
#include "blas_core.h"
#include "commands.h"
#include "util.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *summary;
} commands[] = {
	{"bench", cmd_bench, "build, sandbox, verify and time DGEMM kernels"},
	{"run", cmd_run, "run the RL loop: one heterogeneous Slurm job per iteration"},
	{"cancel", cmd_cancel, "stop a run cleanly, keeping what was measured"},
	{"acct", cmd_acct, "sacct-style report, one row per RL iteration"},
	{"stages", cmd_stages, "print the SQD plan stages.lua makes, iteration by iteration"},
	{"archive", cmd_archive, "list the quality-diversity archive, show an elite's source"},
	{"techniques", cmd_techniques, "detect the optimisation techniques a kernel uses"},
	{"eval", cmd_eval, "pass@k, fast_p, speedup@k of a policy or completions, against baselines"},
	{"report", cmd_report, "a run's report: RUN/report/index.html with plots"},
	{"corpus", cmd_corpus, "write a labelled corpus of kernels of the design space"},
	{"gpu-step", cmd_gpu_step, "the GPU step of one iteration (run inside its job)"},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: perfrl COMMAND [OPTIONS] [ARGS]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n'perfrl COMMAND --help' describes each command; see also perfrl(1).\n");
}

int main(int argc, char **argv)
{
	/* A sandboxed program that dies leaves a pipe with no reader: that is an EPIPE to
	 * handle and a status to report, never a reason for perfrl itself to die. */
	signal(SIGPIPE, SIG_IGN);
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("perfrl %s\n", PACKAGE_VERSION);
		return 0;
	}
	/* Internal: one OpenBLAS core's verdict, for blascore_ensure (not listed). */
	if (!strcmp(argv[1], "blas-probe"))
		return blascore_probe_main(argc - 1, argv + 1);
	/* bench's baselines and its verification reference run on OpenBLAS: at its best core. */
	if (!strcmp(argv[1], "bench"))
		blascore_ensure(argv);
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (!strcmp(argv[1], commands[i].name)) {
			static char name[64];
			snprintf(name, sizeof name, "perfrl %s", commands[i].name);
			util_log_init(name);
			argv[1] = name; /* getopt's own messages name the command too */
			return commands[i].fn(argc - 1, argv + 1);
		}
	fprintf(stderr, "perfrl: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
