/* policy.h - the cheap text checks a kernel source must pass before it is built. */
#ifndef PERFRL_POLICY_H
#define PERFRL_POLICY_H

#include <stddef.h>

#define POLICY_MAX_SOURCE (64 * 1024) /* bytes */

/*
 * Check a kernel source against the dgemm contract's policy (DESIGN.md): size limit,
 * #include only of allow-listed system headers in <> form (no paths, no macros), pragmas
 * only `omp` and `GCC unroll/ivdep`, no forbidden calls (BLAS, dl*, exec*, fork, system,
 * sockets, file I/O, syscall, exit, signals, threads), no asm, no constructor/destructor
 * attributes, must mention dgemm. Works on tokens with comments and string literals
 * removed, so a comment that says `fork()` is fine and `fork /​* x *​/ (` is not.
 * Returns 0 when the source passes, else -1 with a one-line reason in why (never a
 * copy of more than a short identifier from the source).
 */
int policy_check(const char *src, size_t len, char *why, size_t whylen);

#endif
