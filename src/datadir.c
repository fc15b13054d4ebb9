/* datadir.c - where perfrl's shipped files (templates, example kernels) are. */
#include "config.h"
#include "datadir.h"
#include "util.h"

#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

const char *datadir_path(const char *rel)
{
	static char path[PATH_MAX];
	const char *e = getenv("PERFRL_DATADIR");
	const char *dirs[] = {e && *e ? e : NULL, PERFRL_SRCDIR, PERFRL_DATADIR};
	for (int i = 0; i < 3; i++)
		if (dirs[i] && util_pathf(path, sizeof path, "%s/%s", dirs[i], rel) == 0 &&
		    access(path, R_OK) == 0)
			return path;
	util_pathf(path, sizeof path, "%s/%s", PERFRL_DATADIR, rel);
	return path;
}
