/* sandbox.c - start a program in fresh namespaces with a read-only view and rlimits. */
#include "config.h"
#include "sandbox.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * A fresh PID namespace makes the program its init: when it dies, the kernel kills
 * everything else inside, so "kill it as a whole" is one kill(). A fresh network namespace
 * has no interfaces but a downed loopback. The mount namespace gets a read-only view of
 * the host with at most one writable directory (builds), so the host's files stay exactly
 * as they were whatever the program does. Runs need no writable place at all: their
 * seccomp filter refuses open() and RLIMIT_FSIZE is 0. A caller that names a view (the
 * compiler) sees only those paths, read-only, on an empty root: what it reads from the
 * source (#include, .incbin) cannot be a host file outside them.
 */
enum { MODE_UNKNOWN, MODE_NS, MODE_USERNS, MODE_NONE };
static int sandbox_level = MODE_UNKNOWN;

const char *sandbox_mode(void)
{
	switch (sandbox_level) {
	case MODE_NS:
		return "namespaces";
	case MODE_USERNS:
		return "userns";
	case MODE_NONE:
		return "none";
	default:
		return "unknown";
	}
}

/* Report a failed step from the child to the parent through the CLOEXEC error pipe. */
struct child_err {
	int step;
	int err;
};

enum step {
	STEP_START, STEP_USERNS, STEP_PRIVATE, STEP_READONLY, STEP_WRITABLE, STEP_VIEW,
	STEP_CHDIR, STEP_RLIMITS, STEP_FDS, STEP_EXEC, STEP__COUNT
};

static const char *const step_names[STEP__COUNT] = {
	"start", "user namespace maps", "private mounts", "read-only root", "writable dir",
	"private view", "chdir", "rlimits", "descriptors", "exec",
};
static _Noreturn void child_fail(int errfd, int step)
{
	struct child_err ce = {step, errno};
	(void)!write(errfd, &ce, sizeof ce);
	_exit(127);
}

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;
	if (fd < 0)
		return -1;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

static int set_limit(int res, unsigned long long v)
{
	struct rlimit rl = {(rlim_t)v, (rlim_t)v};
	if (!v)
		return 0;
	if (res == RLIMIT_CPU)
		rl.rlim_max = (rlim_t)v + 1; /* SIGXCPU first, then SIGKILL */
	return setrlimit(res, &rl);
}

/* mkdir -p (the child's: no allocation). */
static int mkdirs(const char *path)
{
	char buf[PATH_MAX];
	size_t n = strlen(path);
	if (n >= sizeof buf) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(buf, path, n + 1);
	for (char *p = buf + 1;; p++) {
		char c = *p;
		if (c != '/' && c != '\0')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) != 0 && errno != EEXIST)
			return -1;
		if (!c)
			return 0;
		*p = c;
	}
}

static int mkparent(const char *path)
{
	char buf[PATH_MAX];
	char *slash;
	if (strlen(path) >= sizeof buf) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(buf, path);
	slash = strrchr(buf, '/');
	if (!slash || slash == buf)
		return 0;
	*slash = '\0';
	return mkdirs(buf);
}

/* Copy the host's path (at /oldroot) into the new root (at /newroot): a symlink as the same
 * symlink, a directory or file as a bind mount, read-only unless writable. A path the host
 * lacks is skipped: the view lists candidates. */
static int place(const char *path, int writable)
{
	char src[PATH_MAX], dst[PATH_MAX], link[PATH_MAX];
	struct stat st;
	struct mount_attr a = {.attr_set = MOUNT_ATTR_NOSUID};
	ssize_t n;

	if (path[0] != '/' || (size_t)snprintf(src, sizeof src, "/oldroot%s", path) >= sizeof src ||
	    (size_t)snprintf(dst, sizeof dst, "/newroot%s", path) >= sizeof dst) {
		errno = EINVAL;
		return -1;
	}
	if (lstat(src, &st) != 0)
		return errno == ENOENT || errno == ENOTDIR ? 0 : -1;
	if (S_ISLNK(st.st_mode)) {
		if ((n = readlink(src, link, sizeof link - 1)) < 0)
			return -1;
		link[n] = '\0';
		if (mkparent(dst) != 0 || (symlink(link, dst) != 0 && errno != EEXIST))
			return -1;
		return 0;
	}
	if (S_ISDIR(st.st_mode)) {
		if (mkdirs(dst) != 0)
			return -1;
	} else {
		int fd;
		if (mkparent(dst) != 0 || (fd = open(dst, O_WRONLY | O_CREAT | O_CLOEXEC, 0644)) < 0)
			return -1;
		close(fd);
	}
	if (mount(src, dst, NULL, MS_BIND | MS_REC, NULL) != 0)
		return -1;
	if (writable)
		a.attr_clr = MOUNT_ATTR_RDONLY;
	else
		a.attr_set |= MOUNT_ATTR_RDONLY;
	if (!S_ISCHR(st.st_mode)) /* /dev/null stays a device */
		a.attr_set |= MOUNT_ATTR_NODEV;
	return mount_setattr(AT_FDCWD, dst, AT_RECURSIVE, &a, sizeof a);
}

/*
 * An empty root with only the view and the writable directory, as bubblewrap builds one: a
 * tmpfs becomes the root with the host's at /oldroot, the view is bound from there into
 * /newroot, and /newroot becomes the root with the host's detached. Nothing of the host stays
 * reachable, not even through "..", whatever capabilities the program has in a user namespace.
 */
static int make_view(const struct sandbox_opts *o)
{
	struct mount_attr ro = {.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
					    MOUNT_ATTR_NODEV};
	if (mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=1m") != 0 ||
	    chdir("/tmp") != 0 || mkdir("newroot", 0755) != 0 || mkdir("oldroot", 0755) != 0 ||
	    mount("newroot", "newroot", NULL, MS_BIND | MS_REC, NULL) != 0 ||
	    syscall(SYS_pivot_root, ".", "oldroot") != 0 || chdir("/") != 0)
		return -1;
	for (const char *const *v = o->view; *v; v++)
		if (place(*v, 0) != 0)
			return -1;
	if (o->writable_dir && place(o->writable_dir, 1) != 0)
		return -1;
	if (mount_setattr(AT_FDCWD, "/newroot", 0, &ro, sizeof ro) != 0 ||
	    umount2("/oldroot", MNT_DETACH) != 0 || chdir("/newroot") != 0 ||
	    syscall(SYS_pivot_root, ".", ".") != 0 || umount2(".", MNT_DETACH) != 0 ||
	    chdir("/") != 0)
		return -1;
	return 0;
}

/* Runs in the child between clone and exec: only system calls, no allocation. */
static _Noreturn void child_setup(const struct sandbox_opts *o, int level, int errfd,
				  uid_t outer_uid, gid_t outer_gid, int devnull)
{
	char buf[64];

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	signal(SIGPIPE, SIG_DFL); /* perfrl ignores it; an ignored signal survives exec */
	/* Its own process group, so that even without a PID namespace one kill() reaches all. */
	setpgid(0, 0);
	if (level == MODE_USERNS) {
		snprintf(buf, sizeof buf, "0 %u 1", (unsigned)outer_uid);
		if (write_file("/proc/self/setgroups", "deny") != 0 ||
		    write_file("/proc/self/uid_map", buf) != 0)
			child_fail(errfd, STEP_USERNS);
		snprintf(buf, sizeof buf, "0 %u 1", (unsigned)outer_gid);
		if (write_file("/proc/self/gid_map", buf) != 0)
			child_fail(errfd, STEP_USERNS);
	}
	if (level != MODE_NONE) {
		struct mount_attr ro = {.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
						    MOUNT_ATTR_NODEV};
		if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
			child_fail(errfd, STEP_PRIVATE);
		if (o->view) {
			if (make_view(o) != 0)
				child_fail(errfd, STEP_VIEW);
		} else {
			if (mount_setattr(AT_FDCWD, "/", AT_RECURSIVE, &ro, sizeof ro) != 0)
				child_fail(errfd, STEP_READONLY);
			/* A bind mount copies the read-only flag of where it comes from: clear it. */
			if (o->writable_dir) {
				struct mount_attr rw = {.attr_clr = MOUNT_ATTR_RDONLY};
				if (mount(o->writable_dir, o->writable_dir, NULL, MS_BIND, NULL) != 0 ||
				    mount_setattr(AT_FDCWD, o->writable_dir, 0, &rw, sizeof rw) != 0)
					child_fail(errfd, STEP_WRITABLE);
			}
		}
	}
	if (chdir(o->workdir ? o->workdir : "/") != 0)
		child_fail(errfd, STEP_CHDIR);

	/* Descriptors: 0 /dev/null, 1 and 2 as asked, 3.. the caller's, nothing else.
	 * Move the caller's out of the way first so that dup2 never clobbers one. */
	{
		int tmp[SANDBOX_MAX_FDS], e2;
		int out = o->stdout_fd >= 0 ? o->stdout_fd : devnull;
		int errout = o->stderr_fd >= 0 ? o->stderr_fd : devnull;
		/* The error pipe moves up first, out of the range the dup2s below write to. */
		if ((e2 = fcntl(errfd, F_DUPFD_CLOEXEC, 100)) < 0)
			child_fail(errfd, STEP_FDS);
		errfd = e2;
		for (int i = 0; i < o->nfds; i++)
			if ((tmp[i] = fcntl(o->fds[i], F_DUPFD_CLOEXEC, 64)) < 0)
				child_fail(errfd, STEP_FDS);
		out = fcntl(out, F_DUPFD_CLOEXEC, 64);
		errout = fcntl(errout, F_DUPFD_CLOEXEC, 64);
		if (out < 0 || errout < 0 || dup2(devnull, 0) < 0 || dup2(out, 1) < 0 ||
		    dup2(errout, 2) < 0)
			child_fail(errfd, STEP_FDS);
		for (int i = 0; i < o->nfds; i++)
			if (dup2(tmp[i], 3 + i) < 0)
				child_fail(errfd, STEP_FDS);
		/* The error pipe must survive until exec; everything above 3+nfds except it goes. */
		close_range(3 + (unsigned)o->nfds, (unsigned)errfd - 1, 0);
		close_range((unsigned)errfd + 1, ~0U, 0);
	}
	if (set_limit(RLIMIT_AS, o->as_bytes) || set_limit(RLIMIT_CPU, o->cpu_seconds) ||
	    set_limit(RLIMIT_NPROC, o->nproc) ||
	    setrlimit(RLIMIT_CORE, &(struct rlimit){0, 0}) != 0)
		child_fail(errfd, STEP_RLIMITS);
	/* Defence in depth only (runs cannot open files at all), and refused under valgrind,
	 * which keeps descriptors of its own above any low limit. */
	(void)set_limit(RLIMIT_NOFILE, o->nofile);
	/* FSIZE 0 means "no files at all" for runs, so it is set even when 0. */
	if (setrlimit(RLIMIT_FSIZE, &(struct rlimit){o->fsize_bytes, o->fsize_bytes}) != 0)
		child_fail(errfd, STEP_RLIMITS);

	/* Root outside, not the root a user namespace maps our own id to: an unprivileged user
	 * has no one to become, and setgroups is refused in its namespace. */
	if (o->as_nobody && outer_uid == 0 &&
	    (setgroups(0, NULL) != 0 || setresgid(65534, 65534, 65534) != 0 ||
	     setresuid(65534, 65534, 65534) != 0))
		child_fail(errfd, STEP_RLIMITS);
	execve(o->argv[0], (char *const *)o->argv, (char *const *)o->envp);
	child_fail(errfd, STEP_EXEC);
}

static pid_t clone_into(int level)
{
	unsigned long flags = SIGCHLD;
	if (level == MODE_NS || level == MODE_USERNS)
		flags |= CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS;
	if (level == MODE_USERNS)
		flags |= CLONE_NEWUSER;
	/* Fork semantics (no new stack): the child continues here on a copy of ours. */
	return (pid_t)syscall(SYS_clone, flags, NULL, NULL, NULL, NULL);
}

static int try_spawn(const struct sandbox_opts *o, int level, struct sandbox_proc *p,
		     struct child_err *ce)
{
	int pipefd[2], devnull;
	uid_t uid = geteuid();
	gid_t gid = getegid();
	ssize_t n;

	if (pipe2(pipefd, O_CLOEXEC) != 0)
		return -1;
	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return -1;
	}
	fflush(NULL);
	p->pid = clone_into(level);
	if (p->pid == 0) {
		close(pipefd[0]);
		child_setup(o, level, pipefd[1], uid, gid, devnull);
	}
	close(pipefd[1]);
	close(devnull);
	if (p->pid < 0) {
		ce->step = STEP_START;
		ce->err = errno;
		close(pipefd[0]);
		return -1;
	}
	do
		n = read(pipefd[0], ce, sizeof *ce);
	while (n < 0 && errno == EINTR);
	close(pipefd[0]);
	if (n == 0)
		return 0; /* exec succeeded: the pipe closed on exec */
	waitpid(p->pid, NULL, 0);
	p->pid = -1;
	if (n != (ssize_t)sizeof *ce)
		ce->step = STEP_EXEC, ce->err = EIO;
	return -1;
}

int sandbox_spawn(const struct sandbox_opts *o, struct sandbox_proc *p, char *err, size_t errlen)
{
	struct child_err ce = {0, 0};

	if (sandbox_level == MODE_UNKNOWN) {
		/* Probe once: full namespaces as root, a user namespace as anyone else, else none. */
		static const int order[] = {MODE_NS, MODE_USERNS, MODE_NONE};
		for (size_t i = 0; i < 3; i++) {
			if (try_spawn(o, order[i], p, &ce) == 0) {
				sandbox_level = order[i];
				if (order[i] == MODE_NONE)
					util_info("perfrl: warning: no namespaces on this host (%s at '%s'); "
						  "kernels run under seccomp and rlimits only, and the "
						  "compiler sees the host's files",
						  strerror(ce.err), step_names[ce.step]);
				return 0;
			}
			/* A failure of exec itself is not a namespace problem. */
			if (ce.step == STEP_EXEC)
				break;
		}
	} else if (try_spawn(o, sandbox_level, p, &ce) == 0) {
		return 0;
	}
	snprintf(err, errlen, "cannot start %s in the sandbox (%s: %s)", o->argv[0],
		 step_names[(unsigned)ce.step < STEP__COUNT ? ce.step : STEP_START], strerror(ce.err));
	return -1;
}

int sandbox_wait(struct sandbox_proc *p, double timeout_s, int *wstatus)
{
	double deadline = util_now() + timeout_s;
	for (;;) {
		pid_t r = waitpid(p->pid, wstatus, WNOHANG);
		if (r == p->pid) {
			p->pid = -1;
			return 0;
		}
		if (r < 0 && errno != EINTR) {
			p->pid = -1;
			*wstatus = 0;
			return 0;
		}
		if (timeout_s >= 0 && util_now() >= deadline) {
			sandbox_kill(p, wstatus);
			return 1;
		}
		usleep(2000);
	}
}

void sandbox_kill(struct sandbox_proc *p, int *wstatus)
{
	int st = 0;
	if (p->pid <= 0)
		return;
	kill(-p->pid, SIGKILL);
	kill(p->pid, SIGKILL);
	kill(p->pid, SIGCONT);
	while (waitpid(p->pid, &st, 0) < 0 && errno == EINTR)
		;
	if (wstatus)
		*wstatus = st;
	p->pid = -1;
}
