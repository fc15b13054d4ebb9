/* template.h - the files of templates/ with their @KEY@ placeholders filled in. */
#ifndef PERFRL_TEMPLATE_H
#define PERFRL_TEMPLATE_H

/* text with every @KEY@ of kv (KEY, value, ..., NULL) replaced by its value; other text,
 * lone '@' included, is kept. Returns a malloc'd string (aborts on out of memory). */
char *template_fill(const char *text, const char *const *kv);

/* The same for the shipped file rel ("templates/x", found by datadir_path). NULL with the
 * error reported (util_error) when it cannot be read. */
char *template_render(const char *rel, const char *const *kv);

#endif
