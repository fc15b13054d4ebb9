/* build.h - compile a kernel in the sandbox, audit it, link it; cached by content. */
#ifndef PERFRL_BUILD_H
#define PERFRL_BUILD_H

#include <stddef.h>
#include "status.h"

struct build_opts {
	const char *cc;        /* compiler (PATH is searched); default PERFRL_KERNEL_CC */
	const char *cflags;    /* default BUILD_DEFAULT_CFLAGS */
	const char *cache_dir; /* default $PERFRL_CACHE_DIR, $XDG_CACHE_HOME/perfrl, ~/.cache/perfrl */
	double timeout_s;      /* per compiler invocation */
	int no_cache;          /* build anyway (the result still goes into the cache) */
};

#define BUILD_DEFAULT_CFLAGS "-std=c11 -O3 -march=native -fopenmp"

struct build_result {
	status_t status;       /* STATUS_OK, STATUS_COMPILE_ERROR or STATUS_REJECTED */
	char detail[512];
	char so_path[4096];    /* the shared object, when ok */
	char hash[65];         /* sha256 of source, task, flags, compiler and CPU */
	char compiler[160];    /* "gcc 12.2.0 (x86_64-linux-gnu)" */
	char flags[256];
	int cached;
	double seconds;
};

/* Returns 0 with r filled (any status), or -1 on an infrastructure failure (message printed). */
int build_kernel(const char *src, size_t len, const struct build_opts *o, struct build_result *r);
/* The cache directory build_kernel uses for these options (static buffer). */
const char *build_cache_dir(const struct build_opts *o);

#endif
