/* jsonl.h - JSON Lines files, written whole and atomically. */
#ifndef PERFRL_JSONL_H
#define PERFRL_JSONL_H

#include <jansson.h>

/* Write every element of arr as one compact line, atomically (util_write_atomic).
 * 0, or -1 with errno set. */
int jsonl_write(const char *path, json_t *arr);

/* Every line of the JSONL file path that parses, in order, as a new array; NULL (errno set)
 * when it cannot be read. Lines that do not parse (a killed writer's torn tail) are skipped. */
json_t *jsonl_read(const char *path);

/* The key of a sample_id (a string or a number): its compact JSON text. Caller frees. */
char *jsonl_id_key(json_t *id);

/*
 * Read the JSONL file path into by_id, keyed by jsonl_id_key of each line's "sample_id";
 * a sample already in by_id keeps its record (the first one wins). Lines that do not parse
 * (the torn last line of a killed writer) and lines without a sample_id are skipped.
 * Returns the records added, or -1 (errno set) when the file cannot be read.
 */
int jsonl_read_by_id(const char *path, json_t *by_id);
/* Every record in ITER_DIR/results/ (finished shards, the journals of killed ones, follow-ups),
 * by sample id, the first record of a sample winning. A new object (no results: empty). */
json_t *jsonl_results(const char *iter_dir);
/* The same as jsonl_read_by_id, keyed by jsonl_id_key of the lines' field (problem_id, ...). */
int jsonl_read_key(const char *path, const char *field, json_t *by);

/*
 * How many of ITER_DIR's completions have a record in ITER_DIR/results/ so far, read
 * incrementally: each file from where the last call stopped (journals only grow; a finished
 * shard is a new file), so that asking again while an iteration runs costs what was written
 * since, not every record again. -1 while completions.jsonl does not exist; *ncompl gets the
 * completions. One progress per iteration directory.
 */
struct jsonl_progress;
struct jsonl_progress *jsonl_progress_new(void);
long jsonl_progress_count(struct jsonl_progress *p, const char *iter_dir, long *ncompl);
void jsonl_progress_free(struct jsonl_progress *p);

#endif
