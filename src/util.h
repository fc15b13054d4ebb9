/* util.h - small shared helpers: errors, files, atomic writes, strings. */
#ifndef PERFRL_UTIL_H
#define PERFRL_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define UTIL_PRINTF(a, b) __attribute__((format(printf, a, b)))

/* The program's name in every message, set once by main.c as Slurm's log_init does:
 * "perfrl bench", "perfrl run", ... (default "perfrl"). */
void util_log_init(const char *program);
/* Print "PROGRAM: MSG" to stderr and return -1, so `return util_error(...)` reads naturally. */
int util_error(const char *fmt, ...) UTIL_PRINTF(1, 2);
/* A usage error: "PROGRAM: MSG" and "Try 'PROGRAM --help'." on stderr; returns 2, the exit
 * status of usage errors. */
int util_usage_error(const char *fmt, ...) UTIL_PRINTF(1, 2);
/* Format a one-line reason into err (errlen bytes; err may be NULL) and return -1, for the
 * functions that report "0, or -1 with err set". */
int util_errf(char *err, size_t errlen, const char *fmt, ...) UTIL_PRINTF(3, 4);
/* Progress and notes for humans go to stderr; silenced by util_quiet. */
void util_info(const char *fmt, ...) UTIL_PRINTF(1, 2);
extern int util_quiet;

void *util_xmalloc(size_t n);
void *util_xcalloc(size_t n, size_t size);
char *util_xstrdup(const char *s);
char *util_xasprintf(const char *fmt, ...) UTIL_PRINTF(1, 2);
char *util_xvasprintf(const char *fmt, va_list ap) UTIL_PRINTF(1, 0);

/* Read a whole file (or stdin for "-") into a NUL-terminated buffer; at most max bytes
 * (0: no limit). Returns NULL with errno set on failure; errno = EFBIG when over max. */
char *util_read_file(const char *path, size_t max, size_t *len);
/* Write data to path atomically: a temporary name in the same directory, fsync, rename. */
int util_write_atomic(const char *path, const void *data, size_t len);
/* snprintf for paths: returns -1 (errno ENAMETOOLONG) instead of silently truncating. */
int util_pathf(char *buf, size_t len, const char *fmt, ...) UTIL_PRINTF(3, 4);
/* mkdir -p with mode. */
int util_mkdirs(const char *path, unsigned mode);
/* rm -rf of a directory we created (never follows symlinks). */
int util_rmtree(const char *path);

/* splitmix64 (Steele, Lea and Flood): advances *state and returns the next output. Small and
 * seedable, for what needs reproducible draws (the policy, the corpus, input fill seeds); never
 * for a secret (verify.c keys those from getrandom). */
uint64_t util_splitmix64(uint64_t *state);

/* A whole decimal number from lo to hi, with nothing after it: 0 with *out set, or -1. The one
 * parser of integer options (atoi would take "12abc" as 12 and "x" as 0). */
int util_parse_long(const char *s, long lo, long hi, long *out);

/* Monotonic clock in seconds. */
double util_now(void);
/* This node's short host name (static buffer). */
const char *util_hostname(void);

#endif
