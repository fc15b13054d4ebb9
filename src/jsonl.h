/* jsonl.h - JSON Lines files, written whole and atomically. */
#ifndef PERFRL_JSONL_H
#define PERFRL_JSONL_H

#include <jansson.h>

/* Write every element of arr as one compact line, atomically (util_write_atomic).
 * 0, or -1 with errno set. */
int jsonl_write(const char *path, json_t *arr);

#endif
