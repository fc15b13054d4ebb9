/* build.c - compile a kernel in the sandbox, audit it, link it; cached by content. */
#include "config.h"
#include "build.h"
#include "audit.h"
#include "policy.h"
#include "sandbox.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <openssl/evp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define BUILD_KEY_VERSION "perfrl-build-1\0task=dgemm-1"
#define BUILD_STDERR_MAX (64 * 1024)

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
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[8192];
	int seen = 0;
	if (!f)
		return;
	while (seen < 2 && fgets(line, sizeof line, f))
		if (!strncmp(line, "model name", 10) || !strncmp(line, "flags", 5)) {
			EVP_DigestUpdate(md, line, strlen(line));
			seen++;
		}
	fclose(f);
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

/* Run the compiler in the sandbox with dir writable; stderr captured into buf. */
static int run_cc(const char *const *argv, const char *dir, double timeout, char *buf,
		  size_t buflen, int *wstatus, int *timed_out, char *err, size_t errlen)
{
	char tmpenv[PATH_MAX + 8];
	const char *envp[] = {"PATH=/usr/local/bin:/usr/bin:/bin", "LC_ALL=C", tmpenv, NULL};
	struct sandbox_opts so;
	struct sandbox_proc p;
	int pfd[2];
	size_t n = 0;
	double deadline = util_now() + timeout;

	util_pathf(tmpenv, sizeof tmpenv, "TMPDIR=%s", dir);
	if (pipe2(pfd, O_CLOEXEC) != 0)
		return -1;
	memset(&so, 0, sizeof so);
	so.argv = argv;
	so.envp = envp;
	so.writable_dir = dir;
	so.workdir = dir;
	so.as_nobody = 1; /* the compiler reads untrusted input */
	so.stdout_fd = pfd[1];
	so.stderr_fd = pfd[1];
	so.as_bytes = 4ULL << 30;
	so.cpu_seconds = (unsigned long long)timeout + 1;
	so.fsize_bytes = 256ULL << 20;
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

static int load_verdict(const char *dir, struct build_result *r)
{
	char path[PATH_MAX];
	json_t *j;
	const char *status, *detail, *compiler;
	util_pathf(path, sizeof path, "%s/verdict.json", dir);
	j = json_load_file(path, 0, NULL);
	if (!j)
		return -1;
	if (json_unpack(j, "{s:s, s:s, s:s}", "status", &status, "detail", &detail, "compiler",
			&compiler) != 0) {
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

static int save_verdict(const char *dir, const struct build_result *r)
{
	char path[PATH_MAX];
	json_t *j = json_pack("{s:s, s:s, s:s, s:s}", "status", status_name(r->status), "detail",
			      r->detail, "compiler", r->compiler, "flags", r->flags);
	char *s = json_dumps(j, JSON_COMPACT);
	int rc;
	util_pathf(path, sizeof path, "%s/verdict.json", dir);
	rc = util_write_atomic(path, s, strlen(s));
	free(s);
	json_decref(j);
	return rc;
}

int build_kernel(const char *src, size_t len, const struct build_opts *o, struct build_result *r)
{
	const char *cc = o->cc && *o->cc ? o->cc : PERFRL_KERNEL_CC;
	const char *flags = o->cflags && *o->cflags ? o->cflags : BUILD_DEFAULT_CFLAGS;
	const char *cache = build_cache_dir(o);
	char cc_path[PATH_MAX], final[PATH_MAX], tmpl[PATH_MAX], path[PATH_MAX];
	char err[512], *log = NULL, *fl = NULL;
	double t0 = util_now();
	int st = 0, to = 0, rc = -1;

	memset(r, 0, sizeof *r);
	snprintf(r->flags, sizeof r->flags, "%s", flags);
	if (resolve_cc(cc, cc_path, sizeof cc_path) != 0)
		return util_error("kernel compiler '%s' not found (set --cc or install gcc)", cc);
	hash_key(cc_path, flags, src, len, r->hash);
	/* 32 bytes spare: every path below is one of these plus a short file name. */
	if (util_pathf(final, sizeof final - 32, "%s/%.2s/%s", cache, r->hash, r->hash) != 0 ||
	    util_pathf(tmpl, sizeof tmpl - 32, "%s/%.2s/tmp.XXXXXX", cache, r->hash) != 0)
		return util_error("cache directory path too long: %s", cache);

	if (!o->no_cache && load_verdict(final, r) == 0) {
		r->cached = 1;
		r->seconds = util_now() - t0;
		return 0;
	}

	util_pathf(path, sizeof path, "%s/%.2s", cache, r->hash);
	if (util_mkdirs(path, 0755) != 0)
		return util_error("cannot create the build cache %s: %s", path, strerror(errno));
	if (!mkdtemp(tmpl))
		return util_error("cannot create a build directory in %s: %s", cache, strerror(errno));
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
	if (to) {
		/* A busy node can make an honest kernel slow to build: not cached. */
		r->status = STATUS_COMPILE_ERROR;
		snprintf(r->detail, sizeof r->detail, "the compiler ran past %.0f s", o->timeout_s);
		rc = 0;
		goto out;
	} else if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		/* Only the kernel's own errors are its fault. Anything else (a crashed compiler,
		 * a full disk) is ours: said loudly, and never cached as the kernel's verdict. */
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 1 || !strstr(log, "error:")) {
			util_error("the compiler failed on its own (wait status %#x): %.300s", st, log);
			goto out;
		}
		r->status = STATUS_COMPILE_ERROR;
		if (compile_detail(log, r->detail, sizeof r->detail) != 0)
			snprintf(r->detail, sizeof r->detail,
				 "the compiler reported errors in a file other than kernel.c (not shown)");
	} else if (check_expanded(tmpl, r) == 0) {
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
	if (save_verdict(tmpl, r) != 0) {
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
