/* shape.h - a DGEMM problem's shape, and the one parser of "MxNxK". */
#ifndef PERFRL_SHAPE_H
#define PERFRL_SHAPE_H

struct shape {
	int m, n, k;
};

/* "MxNxK": decimal dimensions from 1 to 65536, with A, B and C within 3 GiB together. NULL
 * with *out set (out may be NULL), or why not ("is not MxNxK", ...). */
const char *shape_parse(const char *s, struct shape *out);

#endif
