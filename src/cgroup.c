/* cgroup.c - a memory and process cap for one sandboxed run, where the host allows it. */
#include "config.h"
#include "cgroup.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *kind = "none";
static unsigned serial;

const char *cgroup_kind(void)
{
	return kind;
}

static int put(const char *dir, const char *file, const char *value)
{
	char path[PATH_MAX + 64];
	int fd, ok;
	if (util_pathf(path, sizeof path, "%s/%s", dir, file) != 0)
		return -1;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ok = write(fd, value, strlen(value)) == (ssize_t)strlen(value);
	close(fd);
	return ok ? 0 : -1;
}

/* A number from a file, or the value after "key " in a key-value file. */
static unsigned long long get(const char *dir, const char *file, const char *key)
{
	char path[PATH_MAX + 64], line[256];
	unsigned long long v = 0;
	FILE *f;
	if (util_pathf(path, sizeof path, "%s/%s", dir, file) != 0 || !(f = fopen(path, "re")))
		return 0;
	while (fgets(line, sizeof line, f)) {
		size_t kl = key ? strlen(key) : 0;
		if (!key) {
			v = strtoull(line, NULL, 10);
			break;
		}
		if (!strncmp(line, key, kl) && line[kl] == ' ') {
			v = strtoull(line + kl + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return v;
}

/* This process's group for a controller ("" for the v2 unified line). */
static int own_path(const char *controller, char *out, size_t len)
{
	FILE *f = fopen("/proc/self/cgroup", "re");
	char line[PATH_MAX + 64];
	int found = -1;
	if (!f)
		return -1;
	while (found && fgets(line, sizeof line, f)) {
		char *c = strchr(line, ':'), *p = c ? strchr(c + 1, ':') : NULL;
		if (!p)
			continue;
		*p = '\0';
		p[1 + strcspn(p + 1, "\n")] = '\0';
		if (*controller ? strstr(c + 1, controller) != NULL : c[1] == '\0')
			found = util_pathf(out, len, "%s", p + 1);
	}
	fclose(f);
	return found;
}

static int make_group(char *dir, size_t len, const char *mount, const char *own)
{
	if (util_pathf(dir, len, "%s%s/perfrl-%ld-%u", mount, strcmp(own, "/") ? own : "",
		       (long)getpid(), serial) != 0)
		return -1;
	return mkdir(dir, 0755);
}

int cgroup_create(struct cgroup_box *b, unsigned long long mem_bytes, unsigned pids_max)
{
	char own[PATH_MAX], mem[32], pids[32];
	struct stat st;

	memset(b, 0, sizeof *b);
	serial++;
	snprintf(mem, sizeof mem, "%llu", mem_bytes);
	snprintf(pids, sizeof pids, "%u", pids_max);
	/* A pure v2 host: /sys/fs/cgroup itself is the unified hierarchy. */
	if (stat("/sys/fs/cgroup/cgroup.controllers", &st) == 0 && own_path("", own, sizeof own) == 0 &&
	    make_group(b->dir[0], sizeof b->dir[0], "/sys/fs/cgroup", own) == 0) {
		b->n = 1;
		b->v2 = 1;
		if (put(b->dir[0], "memory.max", mem) == 0 && put(b->dir[0], "pids.max", pids) == 0) {
			put(b->dir[0], "memory.swap.max", "0");
			kind = "v2";
			return 0;
		}
		cgroup_destroy(b); /* memory and pids are not delegated to us */
	}
	if (own_path("memory", own, sizeof own) == 0 &&
	    make_group(b->dir[0], sizeof b->dir[0], "/sys/fs/cgroup/memory", own) == 0) {
		b->n = 1;
		if (put(b->dir[0], "memory.limit_in_bytes", mem) != 0) {
			cgroup_destroy(b);
			kind = "none";
			return -1;
		}
		put(b->dir[0], "memory.memsw.limit_in_bytes", mem); /* absent without swap accounting */
		if (own_path("pids", own, sizeof own) == 0 &&
		    make_group(b->dir[1], sizeof b->dir[1], "/sys/fs/cgroup/pids", own) == 0) {
			b->n = 2;
			if (put(b->dir[1], "pids.max", pids) != 0) {
				rmdir(b->dir[1]);
				b->n = 1;
			}
		}
		kind = "v1";
		return 0;
	}
	kind = "none";
	return -1;
}

int cgroup_attach(const struct cgroup_box *b, pid_t pid)
{
	char v[32];
	int rc = 0;
	snprintf(v, sizeof v, "%ld", (long)pid);
	for (int i = 0; i < b->n; i++)
		rc |= put(b->dir[i], "cgroup.procs", v);
	return rc;
}

unsigned long long cgroup_peak_memory(const struct cgroup_box *b)
{
	if (!b->n)
		return 0;
	return b->v2 ? get(b->dir[0], "memory.peak", NULL)
		     : get(b->dir[0], "memory.max_usage_in_bytes", NULL);
}

int cgroup_oom_killed(const struct cgroup_box *b)
{
	if (!b->n)
		return 0;
	return b->v2 ? get(b->dir[0], "memory.events", "oom_kill") > 0
		     : get(b->dir[0], "memory.oom_control", "oom_kill") > 0;
}

void cgroup_destroy(struct cgroup_box *b)
{
	for (int i = 0; i < b->n; i++)
		/* The last task may take a moment to leave after it is reaped. */
		for (int t = 0; t < 50 && rmdir(b->dir[i]) != 0 && errno == EBUSY; t++)
			usleep(2000);
	b->n = 0;
}
