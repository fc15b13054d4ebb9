/* policy.h - the cheap text checks a kernel source must pass before it is built. */
#ifndef PERFRL_POLICY_H
#define PERFRL_POLICY_H

#include <stddef.h>

#define POLICY_MAX_SOURCE (64 * 1024) /* bytes */

/*
 * Check a kernel source against the dgemm contract's policy (DESIGN.md): size limit, no
 * NUL byte, #include only as `#include <name.h>` of an allow-listed header (no quotes,
 * paths, macros, #include_next, #import, #embed), pragmas (#pragma and the string of
 * _Pragma) only `omp ...` and `GCC unroll/ivdep`, no forbidden identifier (BLAS and
 * LAPACK, dl*, exec*, fork, system, sockets, file I/O, syscall, exit, signals, threads,
 * setenv; also as __builtin_NAME) except right after `.` or `->` and as the clause
 * names of an omp pragma (`atomic read`), no asm, no attribute
 * that runs or places code or symbols (constructor, destructor, section, alias, used,
 * ...; also in [[gnu::...]] form), and the identifier dgemm must appear.
 * Works on tokens after splicing lines and removing comments and string literals, so a
 * comment that says `fork()` is fine and `fork /​* x *​/ (` is not; every line is read,
 * #if 0 blocks included. Spellings the compiler may read two ways (trigraphs, raw
 * strings, C23 digit separators) are refused. Text checks cannot see through token
 * pasting (##): the object audit and the sandbox remain the guards.
 * Returns 0 (why "") when the source passes, else -1 with a one-line reason in why
 * (truncated to whylen; why may be NULL), which quotes at most a 40-character name,
 * never a line of the source.
 */
int policy_check(const char *src, size_t len, char *why, size_t whylen);

/*
 * The identifier, asm, attribute and pragma checks again, on `cc -E` output, over the lines
 * that linemarkers attribute to main_file: token pasting and macros cannot hide a name from
 * them. Returns 0, or -1 with a reason that starts "after preprocessing: ".
 */
int policy_check_expanded(const char *text, size_t len, const char *main_file, char *why,
			  size_t whylen);

#endif
