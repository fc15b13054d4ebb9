/* extract.h - pull the C translation unit out of a raw model completion. */
#ifndef PERFRL_EXTRACT_H
#define PERFRL_EXTRACT_H

#include <stddef.h>

/*
 * Find the kernel source in `text` (len bytes, NUL-terminated):
 *  - <think>...</think> sections are dropped (an unterminated <think> swallows the rest);
 *  - markdown fences: among the C-like blocks (```c, ```cpp, ```C, ``` with no language,
 *    an unclosed last fence runs to the end), those that define dgemm win; of those the
 *    last one; with none defining dgemm, the largest block;
 *  - no fences: the text itself when it looks like C (from the first line that starts C
 *    code to the last closing brace), so a plain .c file comes back whole.
 * Returns 0 and a malloc'd NUL-terminated *code, or -1 with *why set to a static message
 * ("no code found in the completion", ...).
 */
int extract_code(const char *text, size_t len, char **code, const char **why);

#endif
