/* ccinfo.h - what the kernel compiler says about itself: where its system headers
 * are and which shared libraries its link uses. Asked once per process. */
#ifndef PERFRL_CCINFO_H
#define PERFRL_CCINFO_H

#include <stddef.h>

/*
 * The compiler the answers are about: an absolute path (build.c's resolved --cc).
 * Default PERFRL_KERNEL_CC. Changing it drops the cached answers.
 */
void ccinfo_set_compiler(const char *cc_path);

/*
 * The compiler's `#include <...>` search list (from `cc -E -Wp,-v`), NULL-terminated,
 * owned by this module and valid until the compiler changes; NULL when the compiler
 * could not be asked (a one-line reason in err).
 */
const char *const *ccinfo_include_dirs(char *err, size_t errlen);

/*
 * The real path of the file the link would use for name (`cc -print-file-name=NAME`,
 * symlinks resolved), cached per name. 0, or -1 when the compiler does not know the
 * file (reason in err).
 */
int ccinfo_library(const char *name, char *out, size_t outlen, char *err, size_t errlen);

#endif
