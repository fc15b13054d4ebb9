/* test_jsonl.c - the incremental count of measured samples (jsonl_progress) against what is
 * on disk: journals that grow, a torn last line, finished shards, follow-ups, a stray id, a
 * file replaced under its name; and the same count as jsonl_results gives. */
#include "config.h"
#include "../lib/check.h"
#include "jsonl.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char dir[] = "/tmp/perfrl-test-jsonl.XXXXXX";

static void put(const char *name, const char *mode, const char *text)
{
	char path[256];
	FILE *f;
	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, mode);
	if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
		perror(path);
		exit(99);
	}
}

/* What a full read says: completions with a record in results/. */
static long full_count(void)
{
	char path[256];
	json_t *compl = json_object(), *res = jsonl_results(dir), *v;
	const char *k;
	long n = 0;
	snprintf(path, sizeof path, "%s/completions.jsonl", dir);
	jsonl_read_by_id(path, compl);
	json_object_foreach(compl, k, v) n += json_object_get(res, k) != NULL;
	json_decref(compl);
	json_decref(res);
	return n;
}

int main(void)
{
	struct jsonl_progress *p = jsonl_progress_new();
	char cmd[300];
	long total = -5;

	if (!mkdtemp(dir))
		return perror("mkdtemp"), 99;
	snprintf(cmd, sizeof cmd, "%s/results", dir);
	if (util_mkdirs(cmd, 0755) != 0)
		return perror(cmd), 99;

	CHECK(jsonl_progress_count(p, dir, &total) == -1 && total == 0); /* no completions yet */
	put("completions.jsonl", "w",
	    "{\"sample_id\":\"a\"}\n{\"sample_id\":\"b\"}\n{\"sample_id\":3}\n{\"sample_id\":\"d\"}\n");
	CHECK(jsonl_progress_count(p, dir, &total) == 0 && total == 4);

	/* A journal with one record and a torn line: the torn one is not counted yet. */
	put("results/shard-0.jsonl.partial", "w",
	    "{\"sample_id\":\"a\",\"status\":\"ok\"}\n{\"sample_id\":\"b\",\"sta");
	CHECK(jsonl_progress_count(p, dir, &total) == 1 && total == 4);
	CHECK(full_count() == 1);
	/* The writer finishes the line; a stray id (not a completion) is not counted. */
	put("results/shard-0.jsonl.partial", "a", "tus\":\"ok\"}\n{\"sample_id\":\"z\"}\n");
	CHECK(jsonl_progress_count(p, dir, &total) == 2);
	CHECK(full_count() == 2);
	/* Asked again with nothing new: the same. */
	CHECK(jsonl_progress_count(p, dir, &total) == 2);
	/* The finished shard (the same records) and a follow-up's shard with a numeric id. */
	put("results/shard-0.jsonl", "w", "{\"sample_id\":\"a\"}\n{\"sample_id\":\"b\"}\n");
	put("results/retry-1-shard-0.jsonl", "w", "{\"sample_id\":3}\n");
	/* A writer's temporary is not whole: not read. */
	put("results/shard-1.jsonl.tmp.123", "w", "{\"sample_id\":\"d\"}\n");
	CHECK(jsonl_progress_count(p, dir, &total) == 3);
	CHECK(full_count() == 3);
	/* A file replaced under its name by a shorter one (a new inode): read again, from 0. */
	snprintf(cmd, sizeof cmd, "%s/results/shard-0.jsonl.partial", dir);
	unlink(cmd);
	put("results/shard-0.jsonl.partial", "w", "{\"sample_id\":\"d\"}\n");
	CHECK(jsonl_progress_count(p, dir, &total) == 4 && total == 4);
	CHECK(full_count() == 4);
	jsonl_progress_free(p);

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return CHECK_DONE();
}
