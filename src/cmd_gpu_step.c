/* cmd_gpu_step.c - `perfrl gpu-step`: the GPU step of one iteration (het group 0), handed to
 * the policy that runs it: --builtin and --sample (gpu_builtin.c, the policy in C), --trl
 * (gpu_trl.c, the Python driver for real LLMs) or --fixed (gpu_fixed.c, the stand-in). */
#include "config.h"
#include "commands.h"

#include <string.h>

int cmd_gpu_step(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--builtin") || !strcmp(argv[i], "--sample"))
			return gpu_builtin_main(argc, argv);
		if (!strcmp(argv[i], "--trl"))
			return gpu_trl_exec(argc, argv);
	}
	/* --fixed, and the usage text that names all of them */
	return gpu_fixed_main(argc, argv);
}
