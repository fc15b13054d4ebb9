/* shape.c - the one parser of "MxNxK": options, perfrl.conf, stages.lua and problem files. */
#include "config.h"
#include "shape.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

const char *shape_parse(const char *s, struct shape *out)
{
	long v[3];
	const char *p = s;
	char *end;

	if (!s)
		return "is not MxNxK";
	for (int i = 0; i < 3; i++) {
		if (!isdigit((unsigned char)*p))
			return "is not MxNxK";
		errno = 0;
		v[i] = strtol(p, &end, 10);
		if (errno || (i < 2 ? *end != 'x' : *end != '\0'))
			return "is not MxNxK";
		if (v[i] < 1 || v[i] > 65536)
			return "has a dimension out of 1..65536";
		p = end + 1;
	}
	/* A, B and C as doubles: what the harness maps for one call. */
	if ((double)v[0] * v[2] + (double)v[2] * v[1] + (double)v[0] * v[1] > 3.0 * (1 << 30) / 8)
		return "needs more than 3 GiB for A, B and C";
	if (out)
		*out = (struct shape){(int)v[0], (int)v[1], (int)v[2]};
	return NULL;
}
