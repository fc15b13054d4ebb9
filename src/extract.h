/* extract.h - pull the C translation unit out of a raw model completion. */
#ifndef PERFRL_EXTRACT_H
#define PERFRL_EXTRACT_H

#include <stddef.h>

/*
 * Find the kernel source in `text` (len bytes; the first NUL, if any, ends it):
 *  - <think>...</think> sections are dropped (an unterminated <think> swallows the rest;
 *    a leading </think> with no opening tag drops everything before it, the shape of
 *    completions whose chat template opened the reasoning in the prompt);
 *  - markdown fences (``` or ~~~, any indentation, which is taken off the content):
 *    candidates are blocks labelled c, C, h, cpp, c++, cc, cxx, hpp, c99/c11/c17/c23,
 *    or not labelled; any other label (bash, python, text, ...) is not the kernel. An
 *    unclosed last fence runs to the end. A block that defines dgemm (`dgemm (...) {`)
 *    beats one that only mentions `dgemm(` (a prototype, a call in a test driver),
 *    which beats one without it; among definitions or mentions the last wins, among
 *    the rest the largest;
 *  - no candidate block: the text outside any fence, when it looks like C (from the
 *    first line that starts C code, e.g. #include or void, to the last closing brace
 *    and the #endif or comments after it), so a plain .c file comes back byte for byte.
 * Line endings are kept as they are (CRLF stays CRLF).
 * Returns 0 and a malloc'd NUL-terminated *code (and *why NULL), or -1 with *code NULL
 * and *why one of the static messages "completion is empty", "completion is only a
 * <think> section", "no C code block in the completion" (fences, none of them C) or
 * "no code found in the completion".
 */
int extract_code(const char *text, size_t len, char **code, const char **why);

#endif
