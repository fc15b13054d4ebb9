/* gpu_trl.c - `perfrl gpu-step --trl`: hands the iteration to the Python driver around TRL's
 * GRPOTrainer (jobs/trl_driver.py), in the interpreter perfrl.conf names. */
#include "config.h"
#include "commands.h"
#include "datadir.h"
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int gpu_trl_exec(int argc, char **argv)
{
	const char *python = "python3";
	char **args = util_xcalloc((size_t)argc + 3, sizeof *args);
	int n = 0;
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--python") && i + 1 < argc)
			python = argv[++i];
	args[n++] = (char *)python;
	args[n++] = (char *)datadir_path("jobs/trl_driver.py");
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--trl"))
			continue;
		if (!strcmp(argv[i], "--python")) {
			i++;
			continue;
		}
		args[n++] = argv[i];
	}
	args[n] = NULL;
	if (!getenv("HF_HUB_OFFLINE"))
		setenv("HF_HUB_OFFLINE", "1", 1); /* cluster nodes rarely reach a model hub */
	execvp(python, args);
	util_error("cannot run %s %s: %s", python, args[1], strerror(errno));
	free(args);
	return 1;
}
