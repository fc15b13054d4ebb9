/* template.c - fill the @KEY@ placeholders of the files in templates/. */
#include "config.h"
#include "template.h"
#include "datadir.h"
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

char *template_fill(const char *text, const char *const *kv)
{
	size_t cap = strlen(text) + 1, used = 0;
	char *out;
	/* One pass to size the result exactly: values may be long (an elite's source). */
	for (const char *s = text; *s; s++)
		if (*s == '@')
			for (const char *const *p = kv; *p; p += 2) {
				size_t kl = strlen(*p);
				if (!strncmp(s + 1, *p, kl) && s[1 + kl] == '@') {
					cap += strlen(p[1]);
					break;
				}
			}
	out = util_xmalloc(cap);
	for (const char *s = text; *s;) {
		int hit = 0;
		if (*s == '@')
			for (const char *const *p = kv; *p; p += 2) {
				size_t kl = strlen(*p), vl;
				if (!strncmp(s + 1, *p, kl) && s[1 + kl] == '@') {
					vl = strlen(p[1]);
					memcpy(out + used, p[1], vl);
					used += vl;
					s += kl + 2;
					hit = 1;
					break;
				}
			}
		if (!hit)
			out[used++] = *s++;
	}
	out[used] = '\0';
	return out;
}

char *template_render(const char *rel, const char *const *kv)
{
	size_t len;
	char *t = util_read_file(datadir_path(rel), 1 << 20, &len), *out;
	if (!t) {
		util_error("cannot read %s: %s", datadir_path(rel), strerror(errno));
		return NULL;
	}
	out = template_fill(t, kv);
	free(t);
	return out;
}
