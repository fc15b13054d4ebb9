/* harness.c - perfrl-harness: loads one kernel, locks itself down, and runs calls on command. */
#include "config.h"
#include "harness_proto.h"

#include <dlfcn.h>
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/*
 * This program is small on purpose and links neither OpenBLAS nor anything of perfrl's
 * parent: whatever the kernel can reach in this address space is libc, libm, libgomp and
 * this file. It is never built with sanitizers (their runtimes need system calls that the
 * filter below refuses).
 */

typedef void (*dgemm_fn)(int, int, int, const double *, const double *, double *);

static int send_reply(int op, int status, uint64_t nonce, const char *msg)
{
	struct harness_reply r;
	memset(&r, 0, sizeof r);
	r.op = op;
	r.status = status;
	r.nonce = nonce;
	if (msg)
		snprintf(r.msg, sizeof r.msg, "%s", msg);
	return write(HARNESS_FD_REPLY, &r, sizeof r) == (ssize_t)sizeof r ? 0 : -1;
}

static _Noreturn void setup_failed(int code, const char *msg)
{
	send_reply(HARNESS_READY, code, 0, msg);
	_exit(100 + code);
}

/* Root in the sandbox's namespaces is still root: run the kernel as nobody. */
/* Is this a user namespace (any uid_map but the initial namespace's identity map)? There,
 * uid 0 is the unprivileged user who started perfrl, and nobody may not exist. */
static int in_user_namespace(void)
{
	FILE *f = fopen("/proc/self/uid_map", "r");
	unsigned long inside, outside, count;
	int identity = f && fscanf(f, "%lu %lu %lu", &inside, &outside, &count) == 3 && inside == 0 &&
		       outside == 0 && count == 4294967295UL;
	if (f)
		fclose(f);
	return f && !identity;
}

static void drop_privileges(void)
{
	const uid_t nobody = 65534;
	if (geteuid() != 0 || in_user_namespace())
		return;
	if (setgroups(0, NULL) != 0 || setresgid(nobody, nobody, nobody) != 0 ||
	    setresuid(nobody, nobody, nobody) != 0) {
		/* In a user namespace that maps only our own id, nobody does not exist. */
		if (errno == EINVAL)
			return;
		setup_failed(HARNESS_E_PRIVS, strerror(errno));
	}
}

/*
 * The filter: what a DGEMM with OpenMP threads needs, and nothing else. Threads may be
 * created (clone with CLONE_THREAD), processes may not. No open, no socket, no exec, no
 * kill. Anything else kills the whole process, which the parent reports as `rejected`.
 */
static int install_filter(void)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	static const int plain[] = {
		SCMP_SYS(futex), SCMP_SYS(mmap), SCMP_SYS(munmap), SCMP_SYS(mprotect),
		SCMP_SYS(madvise), SCMP_SYS(mremap), SCMP_SYS(brk), SCMP_SYS(exit),
		SCMP_SYS(exit_group), SCMP_SYS(rt_sigprocmask), SCMP_SYS(rt_sigreturn),
		SCMP_SYS(sched_yield), SCMP_SYS(sched_getaffinity),
		SCMP_SYS(getpid), SCMP_SYS(gettid), SCMP_SYS(getcpu), SCMP_SYS(clock_gettime),
		SCMP_SYS(clock_getres), SCMP_SYS(gettimeofday), SCMP_SYS(clock_nanosleep),
		SCMP_SYS(nanosleep), SCMP_SYS(set_robust_list), SCMP_SYS(rseq),
		SCMP_SYS(getrandom), SCMP_SYS(sysinfo), SCMP_SYS(sched_getparam),
		SCMP_SYS(sched_getscheduler), SCMP_SYS(get_mempolicy),
	};
	int rc = 0;

	if (!ctx)
		return -1;
	for (size_t i = 0; i < sizeof plain / sizeof plain[0] && rc == 0; i++)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, plain[i], 0);
	/* The wire, and stdout/stderr (which are /dev/null: nothing printed is ever read). */
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(read), 1,
				      SCMP_A0(SCMP_CMP_EQ, HARNESS_FD_CMD));
	for (int fd = 1; fd <= 2 && rc == 0; fd++)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(write), 1,
				      SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)fd));
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(write), 1,
				      SCMP_A0(SCMP_CMP_EQ, HARNESS_FD_REPLY));
	/* The process is pinned to its CPUs and no thread may move off them. The call
	 * "succeeds" and does nothing: glibc fails pthread_create when it cannot bind a new
	 * thread, and libgomp then ends the process; a thread made now simply inherits the
	 * CPUs of the thread that made it. */
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(0), SCMP_SYS(sched_setaffinity), 0);
	/* Threads yes, processes no. */
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
				      SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD));
	/* clone3 passes its flags in memory, which a filter cannot read: make glibc fall back. */
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
	/* getrlimit via prlimit64(0, res, NULL, old): reading is fine, setting is not. */
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prlimit64), 1,
				      SCMP_A2(SCMP_CMP_EQ, 0));
	/* glibc's first pthread_create installs handlers for its own two real-time signals
	 * (SIGCANCEL 32 and SIGSETXID 33); no other handler may be installed. */
	for (int sig = 32; sig <= 33 && rc == 0; sig++)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(rt_sigaction), 1,
				      SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)sig));
	/* abort() signals itself; the PID namespace holds nothing else to signal. */
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 0);
	if (rc == 0)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	return rc;
}

/* "0,2,3": the CPUs the parent gave this run. Pinned before the kernel is loaded, so every
 * thread it makes inherits them; the filter keeps it so. */
static void pin_cpus(const char *list)
{
	cpu_set_t set;
	const char *p = list;
	CPU_ZERO(&set);
	for (;;) {
		char *end;
		long c = strtol(p, &end, 10);
		if (end == p || c < 0 || c >= CPU_SETSIZE || (*end != ',' && *end != '\0'))
			setup_failed(HARNESS_E_USAGE, "bad CPUS (want a list like 0,1,2)");
		CPU_SET((int)c, &set);
		if (*end == '\0')
			break;
		p = end + 1;
	}
	if (sched_setaffinity(0, sizeof set, &set) != 0)
		setup_failed(HARNESS_E_AFFINITY, strerror(errno));
}

static void nothing(void *arg)
{
	(void)arg;
}

/*
 * When the kernel uses OpenMP, make libgomp's thread pool now, while threads can still be
 * bound one to a CPU (OMP_PROC_BIND, OMP_PLACES): after the filter no thread can be moved,
 * and unbound threads stopped and resumed between calls pile onto one CPU. This runs
 * libgomp's code, never the kernel's (the audit lets it define nothing but dgemm; the
 * check of where the function lives is a second line).
 */
static void warm_openmp(void *so, dgemm_fn dgemm)
{
	void (*parallel)(void (*)(void *), void *, unsigned, unsigned) =
		(void (*)(void (*)(void *), void *, unsigned, unsigned))(uintptr_t)dlsym(so, "GOMP_parallel");
	Dl_info in_kernel, in_gomp;
	if (parallel && dladdr((void *)(uintptr_t)dgemm, &in_kernel) &&
	    dladdr((void *)(uintptr_t)parallel, &in_gomp) && in_gomp.dli_fbase != in_kernel.dli_fbase)
		parallel(nothing, NULL, 0, 0);
}

int main(int argc, char **argv)
{
	unsigned long long in_bytes, out_bytes;
	char *end;
	void *in, *out, *so;
	dgemm_fn dgemm;

	if (argc != 5)
		setup_failed(HARNESS_E_USAGE,
			     "usage: perfrl-harness KERNEL.so INPUT_BYTES OUTPUT_BYTES CPUS");
	in_bytes = strtoull(argv[2], &end, 10);
	if (*end || !in_bytes)
		setup_failed(HARNESS_E_USAGE, "bad INPUT_BYTES");
	out_bytes = strtoull(argv[3], &end, 10);
	if (*end || !out_bytes)
		setup_failed(HARNESS_E_USAGE, "bad OUTPUT_BYTES");

	in = mmap(NULL, in_bytes, PROT_READ, MAP_SHARED, HARNESS_FD_INPUT, 0);
	out = mmap(NULL, out_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, HARNESS_FD_OUTPUT, 0);
	if (in == MAP_FAILED || out == MAP_FAILED)
		setup_failed(HARNESS_E_MAP, strerror(errno));
	close(HARNESS_FD_INPUT);
	close(HARNESS_FD_OUTPUT);
	pin_cpus(argv[4]);

	/* The audit guarantees the object runs no code at load time. */
	so = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	if (!so)
		setup_failed(HARNESS_E_DLOPEN, dlerror());
	dgemm = (dgemm_fn)(uintptr_t)dlsym(so, "dgemm");
	if (!dgemm)
		setup_failed(HARNESS_E_NOSYM, "no dgemm symbol");

	warm_openmp(so, dgemm);
	drop_privileges();
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || prctl(PR_SET_DUMPABLE, 0) != 0 ||
	    install_filter() != 0)
		setup_failed(HARNESS_E_SECCOMP, "cannot install the seccomp filter");

	if (send_reply(HARNESS_READY, HARNESS_OK, 0, NULL) != 0)
		_exit(120);
	for (;;) {
		struct harness_cmd c;
		ssize_t r = read(HARNESS_FD_CMD, &c, sizeof c);
		if (r != (ssize_t)sizeof c)
			_exit(r == 0 ? 0 : 121);
		switch (c.op) {
		case HARNESS_CALL:
			dgemm(c.m, c.n, c.k, (const double *)((char *)in + c.a_off),
			      (const double *)((char *)in + c.b_off), (double *)((char *)out + c.c_off));
			break;
		case HARNESS_NOP:
			break;
		case HARNESS_QUIT:
			_exit(0);
		default:
			_exit(122);
		}
		if (send_reply(c.op, 0, c.nonce, NULL) != 0)
			_exit(123);
	}
}
