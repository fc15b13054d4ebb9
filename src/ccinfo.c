/* ccinfo.c - what the kernel compiler says about itself: where its system headers
 * are and which shared libraries its link uses. Asked once per process. */
#include "config.h"
#include "ccinfo.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define OUT_MAX (64 * 1024) /* the compiler's answers are a few hundred bytes */
#define DIRS_MAX 32
#define LIBS_MAX 8

static char compiler[PATH_MAX] = PERFRL_KERNEL_CC;
static char *dirs[DIRS_MAX + 1];
static int have_dirs;
static struct {
	char *name, *path;
} libs[LIBS_MAX];

static void drop_cache(void)
{
	for (int i = 0; dirs[i]; i++) {
		free(dirs[i]);
		dirs[i] = NULL;
	}
	have_dirs = 0;
	for (int i = 0; i < LIBS_MAX; i++) {
		free(libs[i].name);
		free(libs[i].path);
		libs[i].name = libs[i].path = NULL;
	}
}

void ccinfo_set_compiler(const char *cc_path)
{
	if (!cc_path || !strcmp(cc_path, compiler))
		return;
	drop_cache();
	snprintf(compiler, sizeof compiler, "%s", cc_path);
}

/*
 * Run the compiler with argv (argv[0] is replaced by the compiler) and collect what it
 * writes to stdout, or to stderr when from_stderr. The compiler is ours, not the kernel's,
 * and reads no kernel input here: no sandbox needed. Returns a malloc'd NUL-terminated
 * text, or NULL (reason in err).
 */
static char *ask(const char **argv, int from_stderr, char *err, size_t errlen)
{
	posix_spawn_file_actions_t fa;
	int fd[2], st = 0, rc;
	pid_t pid;
	char *buf = util_xmalloc(OUT_MAX + 1);
	size_t n = 0;
	ssize_t r;

	argv[0] = compiler;
	if (pipe2(fd, O_CLOEXEC) != 0) {
		util_errf(err, errlen, "pipe: %s", strerror(errno));
		free(buf);
		return NULL;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fd[1], from_stderr ? 2 : 1);
	posix_spawn_file_actions_addopen(&fa, from_stderr ? 1 : 2, "/dev/null", O_WRONLY, 0);
	rc = posix_spawn(&pid, compiler, &fa, NULL, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fd[1]);
	if (rc != 0) {
		close(fd[0]);
		free(buf);
		util_errf(err, errlen, "cannot run the kernel compiler: %s", strerror(rc));
		return NULL;
	}
	while ((r = read(fd[0], buf + n, OUT_MAX - n)) > 0 || (r < 0 && errno == EINTR))
		if (r > 0 && (n += (size_t)r) == OUT_MAX)
			break;
	close(fd[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	buf[n] = '\0';
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		util_errf(err, errlen, "the kernel compiler failed to describe itself (wait status %#x)", st);
		free(buf);
		return NULL;
	}
	return buf;
}

const char *const *ccinfo_include_dirs(char *err, size_t errlen)
{
	const char *argv[] = {NULL, "-xc", "-E", "-Wp,-v", "/dev/null", NULL};
	char *out, *p, *line;
	int in_list = 0, n = 0;

	if (have_dirs)
		return (const char *const *)dirs;
	if (!(out = ask(argv, 1, err, errlen)))
		return NULL;
	/* " /usr/include" lines between "#include <...> search starts here:" and
	 * "End of search list." */
	for (p = out; (line = strsep(&p, "\n")) != NULL;) {
		if (strstr(line, "#include <...> search starts here:")) {
			in_list = 1;
		} else if (!strncmp(line, "End of search list.", 19)) {
			break;
		} else if (in_list && line[0] == ' ' && line[1] == '/' && n < DIRS_MAX) {
			size_t l = strlen(line + 1);
			while (l > 1 && line[l] == '/')
				line[l--] = '\0'; /* no trailing slash: callers add one */
			dirs[n++] = util_xstrdup(line + 1);
		}
	}
	free(out);
	dirs[n] = NULL;
	if (n == 0) {
		util_errf(err, errlen, "the kernel compiler listed no system include directory");
		return NULL;
	}
	have_dirs = 1;
	return (const char *const *)dirs;
}

int ccinfo_library(const char *name, char *out, size_t outlen, char *err, size_t errlen)
{
	char arg[256], real[PATH_MAX], *text;
	const char *argv[] = {NULL, arg, NULL};
	int slot = -1;

	for (int i = 0; i < LIBS_MAX; i++) {
		if (libs[i].name && !strcmp(libs[i].name, name)) {
			snprintf(out, outlen, "%s", libs[i].path);
			return 0;
		}
		if (!libs[i].name && slot < 0)
			slot = i;
	}
	snprintf(arg, sizeof arg, "-print-file-name=%s", name);
	if (!(text = ask(argv, 0, err, errlen)))
		return -1;
	text[strcspn(text, "\n")] = '\0';
	/* A file it does not know comes back as the bare name. */
	if (text[0] != '/' || !realpath(text, real)) {
		util_errf(err, errlen, "the kernel compiler does not find %s", name);
		free(text);
		return -1;
	}
	free(text);
	if (slot >= 0) {
		libs[slot].name = util_xstrdup(name);
		libs[slot].path = util_xstrdup(real);
	}
	snprintf(out, outlen, "%s", real);
	return 0;
}
