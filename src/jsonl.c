/* jsonl.c - JSON Lines files, written whole and atomically. */
#include "config.h"
#include "jsonl.h"
#include "util.h"

#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

int jsonl_write(const char *path, json_t *arr)
{
	size_t i, used = 0, cap = 1 << 14;
	char *buf = util_xmalloc(cap);
	json_t *v;
	int rc;

	json_array_foreach(arr, i, v) {
		char *l = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		size_t n;
		if (!l) {
			free(buf);
			errno = ENOMEM;
			return -1;
		}
		n = strlen(l);
		while (used + n + 2 > cap) {
			char *grown = realloc(buf, cap *= 2);
			if (!grown) {
				free(l);
				free(buf);
				errno = ENOMEM;
				return -1;
			}
			buf = grown;
		}
		memcpy(buf + used, l, n);
		used += n;
		buf[used++] = '\n';
		free(l);
	}
	rc = util_write_atomic(path, buf, used);
	free(buf);
	return rc;
}

char *jsonl_id_key(json_t *id)
{
	return json_dumps(id, JSON_ENCODE_ANY | JSON_COMPACT);
}

json_t *jsonl_read(const char *path)
{
	size_t len;
	char *text = util_read_file(path, 0, &len), *save = NULL;
	json_t *arr;
	if (!text)
		return NULL;
	arr = json_array();
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		json_t *o = json_loads(l, 0, NULL);
		if (o)
			json_array_append_new(arr, o);
	}
	free(text);
	return arr;
}

int jsonl_read_key(const char *path, const char *field, json_t *by)
{
	size_t len;
	char *text = util_read_file(path, 0, &len), *save = NULL;
	int n = 0;

	if (!text)
		return -1;
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		json_t *r = json_loads(l, 0, NULL), *id = r ? json_object_get(r, field) : NULL;
		char *key = id ? jsonl_id_key(id) : NULL;
		if (key && !json_object_get(by, key)) {
			json_object_set(by, key, r);
			n++;
		}
		free(key);
		json_decref(r);
	}
	free(text);
	return n;
}

int jsonl_read_by_id(const char *path, json_t *by_id)
{
	return jsonl_read_key(path, "sample_id", by_id);
}

json_t *jsonl_results(const char *iter_dir)
{
	char pattern[PATH_MAX + 32];
	json_t *by = json_object();
	glob_t g;
	snprintf(pattern, sizeof pattern, "%s/results/*.jsonl*", iter_dir);
	if (glob(pattern, 0, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc; i++)
			if (!strstr(g.gl_pathv[i], ".tmp.")) /* a writer's temporary: not whole */
				jsonl_read_by_id(g.gl_pathv[i], by);
		globfree(&g);
	}
	return by;
}
