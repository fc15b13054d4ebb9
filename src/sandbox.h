/* sandbox.h - start a program in fresh namespaces with a read-only view and rlimits. */
#ifndef PERFRL_SANDBOX_H
#define PERFRL_SANDBOX_H

#include <stddef.h>
#include <sys/types.h>

#define SANDBOX_MAX_FDS 4

struct sandbox_opts {
	const char *const *argv;   /* argv[0]: absolute path of the program */
	const char *const *envp;   /* the whole environment: nothing is inherited */
	const char *writable_dir;  /* stays writable (the build dir); everything else read-only */
	/* NULL: the whole host, read-only. Else a NULL-terminated list of absolute paths
	 * (directories, files or symlinks; missing ones are skipped), the only ones the program
	 * sees, read-only, on an empty root with writable_dir (at its own path). */
	const char *const *view;
	const char *workdir;       /* cwd (default /) */
	int as_nobody;             /* when root: run as uid/gid 65534 */
	int fds[SANDBOX_MAX_FDS];  /* placed at 3, 4, ... in order */
	int nfds;
	int stdout_fd, stderr_fd;  /* -1: /dev/null */
	unsigned long long as_bytes, cpu_seconds, fsize_bytes, nproc, nofile;
};

struct sandbox_proc {
	pid_t pid;
};

/* Start the program. Returns 0, or -1 with a reason in err (an infrastructure failure). */
int sandbox_spawn(const struct sandbox_opts *o, struct sandbox_proc *p, char *err, size_t errlen);
/* Wait for it to end within timeout_s (< 0: forever); on timeout kill it (and, through its
 * PID namespace, everything it started) and return 1; else 0 with *wstatus set. */
int sandbox_wait(struct sandbox_proc *p, double timeout_s, int *wstatus);
/* Kill it and reap it. */
void sandbox_kill(struct sandbox_proc *p, int *wstatus);
/* What isolation this host gives: "namespaces", "userns", or "none" (decided at the first
 * spawn; "none" is also announced once on stderr, never silently). In "none" a view is not
 * applied: the program sees the host's files as the user running perfrl. */
const char *sandbox_mode(void);

#endif
