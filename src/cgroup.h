/* cgroup.h - a memory and process cap for one sandboxed run, where the host allows it. */
#ifndef PERFRL_CGROUP_H
#define PERFRL_CGROUP_H

#include <limits.h>
#include <sys/types.h>

struct cgroup_box {
	char dir[2][PATH_MAX]; /* v1: the memory and pids groups; v2: dir[0] alone */
	int n;                 /* groups made (0: none: the host gives us no cgroups) */
	int v2;
};

/*
 * Make a group capped at mem_bytes of memory (what is really resident, unlike RLIMIT_AS)
 * and pids_max tasks (threads count; RLIMIT_NPROC is per user, this is per run). Uses
 * cgroup v2 where the host delegates memory and pids to us, else v1's memory and pids
 * controllers. Returns 0, or -1 when none can be made (unprivileged, read-only cgroupfs):
 * not an error, the run then relies on rlimits, and cgroup_kind() says so.
 */
int cgroup_create(struct cgroup_box *b, unsigned long long mem_bytes, unsigned pids_max);
int cgroup_attach(const struct cgroup_box *b, pid_t pid);
/* The most memory the group ever held, in bytes (0: unknown). */
unsigned long long cgroup_peak_memory(const struct cgroup_box *b);
/* Whether the kernel's OOM killer fired in the group. */
int cgroup_oom_killed(const struct cgroup_box *b);
/* Remove the groups (after the process is reaped). */
void cgroup_destroy(struct cgroup_box *b);
/* "v2", "v1" or "none": what the last cgroup_create could use. */
const char *cgroup_kind(void);

#endif
