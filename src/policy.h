/* policy.h - the cheap text checks a kernel source must pass before it is built. */
#ifndef PERFRL_POLICY_H
#define PERFRL_POLICY_H

#include <stddef.h>

#define POLICY_MAX_SOURCE (64 * 1024) /* bytes */

/*
 * Check a kernel source against the dgemm contract's policy (doc/design.md): size limit, no
 * NUL byte, #include only as `#include <name.h>` of an allow-listed header (no quotes,
 * paths, macros, #include_next, #import, #embed), no #line or linemarker (`# 1 "x.h"`) and
 * no directive but the standard conditional, macro, #error/#warning and #pragma ones,
 * pragmas (#pragma and the string of _Pragma) only `omp ...`, `GCC ivdep` and
 * `GCC unroll N` with N a decimal literal of at most 64, no forbidden identifier (BLAS and
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
 * The identifier, asm, attribute and pragma checks again, on `cc -E` output: token pasting
 * and macros cannot hide a name from them. Every line is checked except those of a system
 * header, told apart by include depth (linemarker flags 1 and 2), never by a file name the
 * source could choose: a file entered from the kernel's own text under an allow-listed
 * name from one of the kernel compiler's system include directories (ccinfo), and what it
 * includes from those directories. main_file is unused (kept for callers). Returns 0, or
 * -1 with a reason that starts "after preprocessing: ".
 */
int policy_check_expanded(const char *text, size_t len, const char *main_file, char *why,
			  size_t whylen);

#endif
