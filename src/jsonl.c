/* jsonl.c - JSON Lines files, written whole and atomically. */
#include "config.h"
#include "jsonl.h"
#include "util.h"

#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <stdio.h>

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

struct jsonl_progress {
	json_t *compl; /* completions' keys (NULL until the file exists) */
	json_t *seen;  /* keys of the completions measured so far */
	json_t *files; /* path -> [inode, bytes read] */
};

struct jsonl_progress *jsonl_progress_new(void)
{
	struct jsonl_progress *p = util_xmalloc(sizeof *p);
	p->compl = NULL;
	p->seen = json_object();
	p->files = json_object();
	return p;
}

void jsonl_progress_free(struct jsonl_progress *p)
{
	if (!p)
		return;
	json_decref(p->compl);
	json_decref(p->seen);
	json_decref(p->files);
	free(p);
}

/* The whole lines of path after byte off (a torn last line waits for the next call). */
static void progress_file(struct jsonl_progress *p, const char *path)
{
	json_t *at = json_object_get(p->files, path);
	json_int_t ino = at ? json_integer_value(json_array_get(at, 0)) : -1;
	json_int_t off = at ? json_integer_value(json_array_get(at, 1)) : 0;
	struct stat st;
	char *buf, *line, *nl;
	size_t n;
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	if (fstat(fileno(f), &st) != 0) {
		fclose(f);
		return;
	}
	if ((json_int_t)st.st_ino != ino || st.st_size < off)
		off = 0; /* a new file under that name: its records are a set, so read it again */
	if (st.st_size == off || fseeko(f, (off_t)off, SEEK_SET) != 0) {
		fclose(f);
		return;
	}
	buf = util_xmalloc((size_t)(st.st_size - off) + 1);
	n = fread(buf, 1, (size_t)(st.st_size - off), f);
	fclose(f);
	buf[n] = '\0';
	for (line = buf; (nl = strchr(line, '\n')); line = nl + 1) {
		json_t *r, *id;
		char *key;
		*nl = '\0';
		r = json_loads(line, 0, NULL);
		id = r ? json_object_get(r, "sample_id") : NULL;
		key = id ? jsonl_id_key(id) : NULL;
		if (key && json_object_get(p->compl, key))
			json_object_set_new(p->seen, key, json_true());
		free(key);
		json_decref(r);
	}
	off += line - buf;
	free(buf);
	json_object_set_new(p->files, path, json_pack("[I, I]", (json_int_t)st.st_ino, off));
}

long jsonl_progress_count(struct jsonl_progress *p, const char *iter_dir, long *ncompl)
{
	char pattern[PATH_MAX + 32];
	glob_t g;
	if (!p->compl) {
		json_t *c = json_object();
		snprintf(pattern, sizeof pattern, "%s/completions.jsonl", iter_dir);
		if (jsonl_read_by_id(pattern, c) < 0) {
			json_decref(c);
			*ncompl = 0;
			return -1; /* the GPU step has written none yet (the file appears whole) */
		}
		p->compl = c;
	}
	*ncompl = (long)json_object_size(p->compl);
	snprintf(pattern, sizeof pattern, "%s/results/*.jsonl*", iter_dir);
	if (glob(pattern, 0, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc; i++)
			if (!strstr(g.gl_pathv[i], ".tmp.")) /* a writer's temporary: not whole */
				progress_file(p, g.gl_pathv[i]);
		globfree(&g);
	}
	return (long)json_object_size(p->seen);
}
