/* build.c - compile a kernel in the sandbox, audit it, link it; cached by content. */
#include "config.h"
#include "build.h"
#include "machine.h"
#include "ccinfo.h"
#include "audit.h"
#include "policy.h"
#include "sandbox.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <openssl/evp.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define BUILD_KEY_VERSION "perfrl-build-1\0task=dgemm-1"
#define BUILD_STDERR_MAX (64 * 1024)
/* The compiler's limits. An honest kernel's cc1 peaks near 70 MB and writes at most a few MB
 * (kernel.i with immintrin.h: 1.4 MB), so these are 50x its needs; a source that reaches one
 * is a compiler bomb, and its compile_error. */
#define BUILD_AS_MIB 4096
#define BUILD_FSIZE_MIB 64
/* Verdicts reached but not cached (the wall-clock backstop, a killed compiler), remembered
 * so that this process never compiles that source again. */
#define BUILD_MEMO_MAX 512

const char *build_cache_dir(const struct build_opts *o)
{
	static char dir[PATH_MAX];
	const char *e;
	if (o->cache_dir && *o->cache_dir)
		snprintf(dir, sizeof dir, "%s", o->cache_dir);
	else if ((e = getenv("PERFRL_CACHE_DIR")) && *e)
		snprintf(dir, sizeof dir, "%s", e);
	else if ((e = getenv("XDG_CACHE_HOME")) && *e)
		snprintf(dir, sizeof dir, "%s/perfrl", e);
	else if ((e = getenv("HOME")) && *e)
		snprintf(dir, sizeof dir, "%s/.cache/perfrl", e);
	else
		snprintf(dir, sizeof dir, "/tmp/perfrl-cache-%u", (unsigned)geteuid());
	return dir;
}

/* The compiler's absolute path; PATH is searched for a bare name. */
static int resolve_cc(const char *cc, char *out, size_t outlen)
{
	char *path, *save = NULL;
	if (strchr(cc, '/'))
		return realpath(cc, out) && access(out, X_OK) == 0 ? 0 : -1;
	path = util_xstrdup(getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
	for (char *d = strtok_r(path, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		char cand[PATH_MAX];
		util_pathf(cand, sizeof cand, "%s/%s", d, cc);
		if (access(cand, X_OK) == 0 && realpath(cand, out)) {
			free(path);
			return 0;
		}
	}
	free(path);
	(void)outlen;
	return -1;
}

/* What -march=native means here: the first CPU's model and feature flags. */
static void cpu_identity(EVP_MD_CTX *md)
{
	const struct machine_cpu *cpu = machine_cpu();
	EVP_DigestUpdate(md, cpu->model, strlen(cpu->model) + 1);
	EVP_DigestUpdate(md, cpu->flags, strlen(cpu->flags) + 1);
}

static void hash_key(const char *cc_path, const char *flags, const char *src, size_t len, char *hex)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned dl = 0;
	struct stat st;
	char id[PATH_MAX + 64];

	EVP_DigestInit_ex(md, EVP_sha256(), NULL);
	EVP_DigestUpdate(md, BUILD_KEY_VERSION, sizeof BUILD_KEY_VERSION);
	/* The compiler by path, size and mtime: an upgrade changes the key without the cost
	 * of running it on every lookup. */
	if (stat(cc_path, &st) != 0)
		memset(&st, 0, sizeof st);
	util_pathf(id, sizeof id, "%s|%lld|%lld", cc_path, (long long)st.st_size,
		 (long long)st.st_mtime);
	EVP_DigestUpdate(md, id, strlen(id) + 1);
	EVP_DigestUpdate(md, flags, strlen(flags) + 1);
	cpu_identity(md);
	EVP_DigestUpdate(md, src, len);
	EVP_DigestFinal_ex(md, d, &dl);
	EVP_MD_CTX_free(md);
	for (unsigned i = 0; i < dl && i < 32; i++)
		sprintf(hex + 2 * i, "%02x", d[i]);
	hex[64] = '\0';
}

/* Split a flag string on spaces into argv slots (flags are ours or the user's, not a shell). */
static int split_flags(char *s, const char **argv, int max)
{
	int n = 0;
	char *save = NULL;
	for (char *t = strtok_r(s, " \t", &save); t && n < max; t = strtok_r(NULL, " \t", &save))
		argv[n++] = t;
	return n;
}

/*
 * What the compiler may read: the system's toolchain and headers (gcc, cc1, as and ld, their
 * libraries and the loader's cache), its own prefix when it lives elsewhere (/opt/gcc-13),
 * and a few devices. No /etc beyond ld.so.cache, no /home, /root, /tmp, /proc or /work: an
 * #include or .incbin of a host file finds nothing, whatever a policy hole lets through.
 */
static const char *const *compiler_view(const char *cc_path)
{
	static char prefix[PATH_MAX];
	static const char *view[] = {
		"/usr/bin", "/bin", "/usr/lib", "/lib", "/lib64", "/usr/lib64", "/usr/libexec",
		"/usr/include", "/etc/ld.so.cache", "/dev/null", "/dev/zero", "/dev/urandom",
		NULL, /* the compiler's prefix */
		NULL,
	};
	const size_t slot = sizeof view / sizeof *view - 2;
	char *slash;

	snprintf(prefix, sizeof prefix, "%s", cc_path);
	for (int up = 0; up < 2 && (slash = strrchr(prefix, '/')); up++)
		*slash = '\0'; /* /opt/gcc-13/bin/gcc -> /opt/gcc-13 */
	view[slot] = prefix[0] == '/' && strcmp(prefix, "/usr") ? prefix : NULL;
	return view;
}

/* Run the compiler in the sandbox with dir writable and only the compiler's view readable;
 * stderr captured into buf. It gets timeout seconds of CPU time per process (RLIMIT_CPU:
 * SIGXCPU, the same on a busy node as on an idle one) and twice that in wall time, a
 * backstop for a starved node (*timed_out). */
static int run_cc(const char *const *argv, const char *dir, double timeout, char *buf,
		  size_t buflen, int *wstatus, int *timed_out, char *err, size_t errlen)
{
	char tmpenv[PATH_MAX + 8];
	const char *envp[] = {"PATH=/usr/local/bin:/usr/bin:/bin", "LC_ALL=C", tmpenv, NULL};
	struct sandbox_opts so;
	struct sandbox_proc p;
	int pfd[2];
	size_t n = 0;
	double deadline = util_now() + 2 * timeout;

	util_pathf(tmpenv, sizeof tmpenv, "TMPDIR=%s", dir);
	if (pipe2(pfd, O_CLOEXEC) != 0)
		return -1;
	memset(&so, 0, sizeof so);
	so.argv = argv;
	so.envp = envp;
	so.writable_dir = dir;
	so.workdir = dir;
	so.view = compiler_view(argv[0]);
	so.as_nobody = 1; /* the compiler reads untrusted input */
	so.stdout_fd = pfd[1];
	so.stderr_fd = pfd[1];
	so.as_bytes = (unsigned long long)BUILD_AS_MIB << 20;
	so.cpu_seconds = timeout < 1 ? 1 : (unsigned long long)ceil(timeout);
	so.fsize_bytes = (unsigned long long)BUILD_FSIZE_MIB << 20;
	so.nofile = 256;
	if (sandbox_spawn(&so, &p, err, errlen) != 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	close(pfd[1]);
	*timed_out = 0;
	for (;;) {
		struct pollfd pf = {pfd[0], POLLIN, 0};
		double left = deadline - util_now();
		int r;
		if (left <= 0) {
			*timed_out = 1;
			break;
		}
		r = poll(&pf, 1, (int)(left * 1000) + 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r > 0) {
			char tmp[4096];
			ssize_t got = read(pfd[0], tmp, sizeof tmp);
			if (got <= 0)
				break; /* EOF: the compiler and its children closed stderr */
			for (ssize_t i = 0; i < got && n + 1 < buflen; i++)
				buf[n++] = tmp[i];
		}
	}
	close(pfd[0]);
	buf[n] = '\0';
	if (*timed_out) {
		sandbox_kill(&p, wstatus);
		return 0;
	}
	if (sandbox_wait(&p, deadline - util_now() + 1, wstatus) == 1)
		*timed_out = 1;
	return 0;
}

/* Compiler diagnostics, cut to the kernel's own error lines. Carets and source excerpts
 * are off, and lines about any other file are dropped, so a detail never quotes a file
 * (an error about another file names one of its tokens). -1: no such line. */
static int compile_detail(const char *log, char *out, size_t outlen)
{
	const char *p = log;
	size_t n = 0;
	int lines = 0;
	out[0] = '\0';
	while (*p && lines < 3) {
		const char *e = strchr(p, '\n');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		if (!strncmp(p, "kernel.c:", 9) && (memmem(p, l, ": error:", 8) || memmem(p, l, ": fatal error:", 14))) {
			if (n && n + 3 < outlen) {
				memcpy(out + n, " | ", 3);
				n += 3;
			}
			for (size_t i = 0; i < l && n + 1 < outlen; i++)
				out[n++] = p[i] == '\t' ? ' ' : p[i];
			out[n] = '\0';
			lines++;
		}
		p = e ? e + 1 : p + l;
	}
	return lines ? 0 : -1;
}

static void compiler_version(const char *cc_path, const char *dir, char *out, size_t outlen)
{
	static char cached[160];
	if (!cached[0]) {
		const char *argv[] = {cc_path, "-dumpfullversion", NULL};
		char buf[256], err[256];
		int st = 0, to = 0;
		const char *base = strrchr(cc_path, '/');
		if (run_cc(argv, dir, 10, buf, sizeof buf, &st, &to, err, sizeof err) == 0 && !to &&
		    WIFEXITED(st) && WEXITSTATUS(st) == 0) {
			buf[strcspn(buf, "\n")] = '\0';
			snprintf(cached, sizeof cached, "%.60s %.60s", base ? base + 1 : cc_path, buf);
		} else {
			snprintf(cached, sizeof cached, "%.100s (version unknown)", cc_path);
		}
	}
	snprintf(out, outlen, "%s", cached);
}

/*
 * The policy's token checks on what the compiler really saw: kernel.i, which the compile
 * kept (-save-temps=obj) at no extra cost. Token pasting and macros cannot hide a name
 * here. 0: clean, 1: rejected (r filled).
 */
static int check_expanded(const char *dir, struct build_result *r)
{
	char path[PATH_MAX], why[300], *text;
	size_t len;
	int rc = 0;

	if (util_pathf(path, sizeof path, "%s/kernel.i", dir) != 0 ||
	    !(text = util_read_file(path, 64 << 20, &len)))
		return 0; /* no such file: the compile failed before it and says why */
	if (policy_check_expanded(text, len, "kernel.c", why, sizeof why) != 0) {
		r->status = STATUS_REJECTED;
		snprintf(r->detail, sizeof r->detail, "%s", why);
		rc = 1;
	}
	free(text);
	return rc;
}

/* A cached verdict, unless it is a CPU-limit verdict reached with less CPU than this build
 * would allow (a larger --timeout deserves its try). */
static int load_verdict(const char *dir, double cpu_limit, struct build_result *r)
{
	char path[PATH_MAX];
	json_t *j;
	const char *status, *detail, *compiler;
	double limit = 0;
	util_pathf(path, sizeof path, "%s/verdict.json", dir);
	j = json_load_file(path, 0, NULL);
	if (!j)
		return -1;
	if (json_unpack(j, "{s:s, s:s, s:s, s?F}", "status", &status, "detail", &detail, "compiler",
			&compiler, "cpu_limit_s", &limit) != 0 ||
	    (limit > 0 && limit < cpu_limit)) {
		json_decref(j);
		return -1;
	}
	r->status = !strcmp(status, "ok") ? STATUS_OK
		    : !strcmp(status, "rejected") ? STATUS_REJECTED
						  : STATUS_COMPILE_ERROR;
	snprintf(r->detail, sizeof r->detail, "%s", detail);
	snprintf(r->compiler, sizeof r->compiler, "%s", compiler);
	json_decref(j);
	util_pathf(r->so_path, sizeof r->so_path, "%s/kernel.so", dir);
	if (r->status == STATUS_OK && access(r->so_path, R_OK) != 0)
		return -1;
	return 0;
}

static int save_verdict(const char *dir, const struct build_result *r, double cpu_limit)
{
	char path[PATH_MAX];
	json_t *j = json_pack("{s:s, s:s, s:s, s:s}", "status", status_name(r->status), "detail",
			      r->detail, "compiler", r->compiler, "flags", r->flags);
	if (cpu_limit > 0)
		json_object_set_new(j, "cpu_limit_s", json_real(cpu_limit));
	char *s = json_dumps(j, JSON_COMPACT);
	int rc;
	util_pathf(path, sizeof path, "%s/verdict.json", dir);
	rc = util_write_atomic(path, s, strlen(s));
	free(s);
	json_decref(j);
	return rc;
}

static struct memo {
	char hash[65];
	status_t status;
	char detail[160];
} memo[BUILD_MEMO_MAX];
static unsigned nmemo;

static int memo_find(struct build_result *r)
{
	for (unsigned i = 0; i < nmemo && i < BUILD_MEMO_MAX; i++)
		if (!strcmp(memo[i].hash, r->hash)) {
			r->status = memo[i].status;
			snprintf(r->detail, sizeof r->detail, "%s", memo[i].detail);
			return 0;
		}
	return -1;
}

static void memo_add(const struct build_result *r)
{
	struct memo *m = &memo[nmemo++ % BUILD_MEMO_MAX];
	snprintf(m->hash, sizeof m->hash, "%s", r->hash);
	m->status = r->status;
	snprintf(m->detail, sizeof m->detail, "%.*s", (int)sizeof m->detail - 1, r->detail);
}

/*
 * Does the toolchain work here (compiler, assembler, linker, libgomp), on a known-good source
 * with these flags? Asked once per process, and only when a build failed for no reason of the
 * kernel's own: if it works, the failure is that source's; if not, it is this machine's.
 */
static int compiler_works(const char *cc_path, const char *flags, const char *cache)
{
	static int works = -1;
	static const char probe[] = "int perfrl_probe(int x) { return x + 1; }\n";
	char dir[PATH_MAX], path[PATH_MAX], err[512], buf[4096], *fl;
	const char *argv[64];
	int n = 0, st = 0, to = 0;

	if (works >= 0)
		return works;
	if (util_pathf(dir, sizeof dir - 32, "%s/probe.XXXXXX", cache) != 0 || !mkdtemp(dir))
		return 0;
	chmod(dir, 0755);
	if ((geteuid() == 0 && chown(dir, 65534, 65534) != 0) ||
	    util_pathf(path, sizeof path, "%s/probe.c", dir) != 0 ||
	    util_write_atomic(path, probe, sizeof probe - 1) != 0) {
		util_rmtree(dir);
		return 0;
	}
	fl = util_xstrdup(flags);
	argv[n++] = cc_path;
	n += split_flags(fl, argv + n, 40);
	argv[n++] = "-fPIC";
	argv[n++] = "-shared";
	argv[n++] = "-o";
	argv[n++] = "probe.so";
	argv[n++] = "probe.c";
	argv[n++] = "-lm";
	argv[n] = NULL;
	works = run_cc(argv, dir, 30, buf, sizeof buf, &st, &to, err, sizeof err) == 0 && !to &&
		WIFEXITED(st) && WEXITSTATUS(st) == 0;
	free(fl);
	util_rmtree(dir);
	return works;
}

enum verdict_kind {
	V_KERNEL,  /* the kernel's own: cached */
	V_ONCE,    /* the kernel's, but maybe not the next time: remembered by this process only */
	V_MACHINE, /* this machine's: said loudly, never the kernel's verdict */
};

/*
 * Why a compile that did not succeed failed. The kernel's own errors, and the limits a
 * source can run the compiler into (memory, file size, CPU time: a compiler bomb), are its
 * compile_error. Anything else is the kernel's only if the compiler works on a known-good
 * source. detail gets a short reason of ours, never the compiler's text; *cpu_bound says the
 * CPU limit decided it.
 */
static enum verdict_kind classify(const char *log, int st, int timed_out, double timeout,
				  const char *cc_path, const char *flags, const char *cache,
				  char *detail, size_t dlen, int *cpu_bound)
{
	int sig = WIFSIGNALED(st) ? WTERMSIG(st) : 0;

	if (timed_out) {
		/* The CPU limit comes first on an idle node: only a starved compiler gets here,
		 * and a busy node can make an honest kernel slow to build. */
		snprintf(detail, dlen, "the compiler ran past %.0f s of wall time", 2 * timeout);
		return V_ONCE;
	}
	if (strstr(log, "No space left on device") || strstr(log, "Disk quota exceeded"))
		return V_MACHINE;
	if (strstr(log, "out of memory allocating") || strstr(log, "virtual memory exhausted")) {
		snprintf(detail, dlen, "the compiler ran out of memory (limit %d MiB)", BUILD_AS_MIB);
		return V_KERNEL;
	}
	if (sig == SIGXFSZ || strstr(log, "File size limit exceeded") || strstr(log, "File too large")) {
		snprintf(detail, dlen, "the compiler's output passed the file-size limit (%d MiB)",
			 BUILD_FSIZE_MIB);
		return V_KERNEL;
	}
	if (sig == SIGXCPU || strstr(log, "CPU time limit exceeded")) {
		snprintf(detail, dlen, "the compiler used more than %.0f s of CPU time", ceil(timeout));
		*cpu_bound = 1;
		return V_KERNEL;
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 1 && strstr(log, "error:") &&
	    compile_detail(log, detail, dlen) == 0)
		return V_KERNEL;
	if (!compiler_works(cc_path, flags, cache))
		return V_MACHINE;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 1 && strstr(log, "error:")) {
		snprintf(detail, dlen, "the compiler reported errors in a file other than kernel.c "
				       "(not shown)");
		return V_KERNEL;
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 1 && strstr(log, "Assembler messages:")) {
		snprintf(detail, dlen, "the assembler failed on this source");
		return V_KERNEL;
	}
	if (strstr(log, "internal compiler error")) {
		snprintf(detail, dlen, "the compiler crashed on this source (internal compiler error)");
		return V_KERNEL;
	}
	/* Killed (the OOM killer?), a signal, or an exit status we do not know. */
	if (sig)
		snprintf(detail, dlen, "the compiler failed on this source (signal %d)", sig);
	else
		snprintf(detail, dlen, "the compiler failed on this source (exit status %d)",
			 WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	return V_ONCE;
}

int build_kernel(const char *src, size_t len, const struct build_opts *o, struct build_result *r)
{
	const char *cc = o->cc && *o->cc ? o->cc : PERFRL_KERNEL_CC;
	const char *flags = o->cflags && *o->cflags ? o->cflags : BUILD_DEFAULT_CFLAGS;
	const char *cache = build_cache_dir(o);
	char cc_path[PATH_MAX], final[PATH_MAX], tmpl[PATH_MAX], path[PATH_MAX];
	char err[512], *log = NULL, *fl = NULL;
	double t0 = util_now();
	double cpu_limit = o->timeout_s < 1 ? 1 : ceil(o->timeout_s);
	int st = 0, to = 0, rc = -1, cpu_bound = 0;
	enum verdict_kind kind = V_KERNEL;

	memset(r, 0, sizeof *r);
	snprintf(r->flags, sizeof r->flags, "%s", flags);
	if (resolve_cc(cc, cc_path, sizeof cc_path) != 0)
		return util_error("kernel compiler '%s' not found (set --cc or install gcc)", cc);
	/* The policy's include dirs and the audit's export lists are this compiler's. */
	ccinfo_set_compiler(cc_path);
	hash_key(cc_path, flags, src, len, r->hash);
	/* 32 bytes spare: every path below is one of these plus a short file name. */
	if (util_pathf(final, sizeof final - 32, "%s/%.2s/%s", cache, r->hash, r->hash) != 0 ||
	    util_pathf(tmpl, sizeof tmpl - 32, "%s/%.2s/tmp.XXXXXX", cache, r->hash) != 0)
		return util_error("cache directory path too long: %s", cache);

	/* Never compile again what this process already saw fail (--no-cache included). */
	if (memo_find(r) == 0 || (!o->no_cache && load_verdict(final, cpu_limit, r) == 0)) {
		r->cached = 1;
		r->seconds = util_now() - t0;
		return 0;
	}

	util_pathf(path, sizeof path, "%s/%.2s", cache, r->hash);
	if (util_mkdirs(path, 0755) != 0)
		return util_error("cannot create the build cache %s: %s", path, strerror(errno));
	if (!mkdtemp(tmpl))
		return util_error("cannot create a build directory in %s: %s", cache, strerror(errno));
	/* The sandbox mounts it at its own path on an empty root: no symlink may lead there. */
	if (!realpath(tmpl, path) || strlen(path) >= sizeof tmpl - 32) {
		util_error("cannot resolve the build directory %s: %s", tmpl, strerror(errno));
		util_rmtree(tmpl);
		return -1;
	}
	snprintf(tmpl, sizeof tmpl, "%s", path);
	/* The compiler runs as nobody when we are root, and the harness reads kernel.so as
	 * nobody: the build directory is theirs. */
	chmod(tmpl, 0755);
	if (geteuid() == 0 && chown(tmpl, 65534, 65534) != 0) {
		util_error("cannot hand %s to nobody: %s", tmpl, strerror(errno));
		goto out;
	}
	util_pathf(path, sizeof path, "%s/kernel.c", tmpl);
	if (util_write_atomic(path, src, len) != 0) {
		util_error("cannot write %s: %s", path, strerror(errno));
		goto out;
	}
	compiler_version(cc_path, tmpl, r->compiler, sizeof r->compiler);

	log = util_xmalloc(BUILD_STDERR_MAX);
	fl = util_xstrdup(flags);
	{
		const char *argv[64];
		int n = 0;
		argv[n++] = cc_path;
		n += split_flags(fl, argv + n, 40);
		argv[n++] = "-fPIC";
		argv[n++] = "-fno-diagnostics-show-caret";
		argv[n++] = "-fdiagnostics-color=never";
		argv[n++] = "-fno-diagnostics-show-line-numbers";
		/* Only token pasting (## or %:%:) can make an identifier the raw text does not
		 * show: the policy already reads directives, splices, digraphs and #define bodies.
		 * Only then keep kernel.i for check_expanded, which costs ~0.1 s on big headers. */
		if (memmem(src, len, "##", 2) || memmem(src, len, "%:%:", 4))
			argv[n++] = "-save-temps=obj";
		argv[n++] = "-c";
		argv[n++] = "kernel.c";
		argv[n++] = "-o";
		argv[n++] = "kernel.o";
		argv[n] = NULL;
		if (run_cc(argv, tmpl, o->timeout_s, log, BUILD_STDERR_MAX, &st, &to, err, sizeof err) != 0) {
			util_error("%s", err);
			goto out;
		}
	}
	/* What the preprocessor built is checked first: a failed build may still have shown a
	 * forbidden name (an .incbin the sandbox stopped is rejected, not a compile error). */
	if (check_expanded(tmpl, r) != 0) {
		/* rejected: r filled */
	} else if (to || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		/* Only the kernel's own failures are its verdict. The machine's (a broken
		 * compiler, a full disk) are said loudly and never cached as the kernel's. */
		kind = classify(log, st, to, o->timeout_s, cc_path, flags, cache, r->detail,
				sizeof r->detail, &cpu_bound);
		if (kind == V_MACHINE) {
			util_error("the compiler failed on its own (wait status %#x): %.300s", st, log);
			goto out;
		}
		r->status = STATUS_COMPILE_ERROR;
		if (kind == V_ONCE) {
			memo_add(r);
			rc = 0;
			goto out;
		}
	} else {
		char why[300];
		int a;
		util_pathf(path, sizeof path, "%s/kernel.o", tmpl);
		a = audit_object(path, why, sizeof why);
		if (a != 0) {
			r->status = a == -1 ? STATUS_REJECTED : STATUS_COMPILE_ERROR;
			snprintf(r->detail, sizeof r->detail, "%s", why);
		} else {
			const char *argv[] = {cc_path, "-shared", "-fopenmp", "-o", "kernel.so",
					      "kernel.o", "-lm", NULL};
			if (run_cc(argv, tmpl, o->timeout_s, log, BUILD_STDERR_MAX, &st, &to, err,
				   sizeof err) != 0) {
				util_error("%s", err);
				goto out;
			}
			if (to || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
				/* An object the audit passed: unless the linker fails on any. */
				if (!compiler_works(cc_path, flags, cache)) {
					util_error("the linker failed on its own (wait status %#x): %.300s",
						   st, log);
					goto out;
				}
				r->status = STATUS_COMPILE_ERROR;
				snprintf(r->detail, sizeof r->detail, "linking the kernel failed");
			} else {
				r->status = STATUS_OK;
			}
		}
	}
	/* Keep only what a later lookup needs. */
	for (const char *const *f = (const char *const[]){"kernel.o", "kernel.i", "kernel.s", NULL}; *f; f++)
		if (util_pathf(path, sizeof path, "%s/%s", tmpl, *f) == 0)
			unlink(path);
	if (r->status != STATUS_OK) {
		util_pathf(path, sizeof path, "%s/kernel.so", tmpl);
		unlink(path);
	}
	/* A CPU-limit verdict holds for this limit, not a larger one. */
	if (save_verdict(tmpl, r, cpu_bound ? cpu_limit : 0) != 0) {
		util_error("cannot write the build verdict in %s: %s", tmpl, strerror(errno));
		goto out;
	}
	/* Publish: a concurrent build of the same source may have won; either is fine. */
	if (rename(tmpl, final) != 0) {
		if (errno != ENOTEMPTY && errno != EEXIST) {
			util_error("cannot publish %s: %s", final, strerror(errno));
			goto out;
		}
		if (o->no_cache) {
			util_rmtree(final);
			if (rename(tmpl, final) != 0) {
				util_error("cannot publish %s: %s", final, strerror(errno));
				goto out;
			}
		}
	}
	util_pathf(r->so_path, sizeof r->so_path, "%s/kernel.so", final);
	rc = 0;
out:
	if (access(tmpl, F_OK) == 0)
		util_rmtree(tmpl);
	free(log);
	free(fl);
	r->seconds = util_now() - t0;
	return rc;
}
