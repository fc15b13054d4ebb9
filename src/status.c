/* status.c - status names and the paper's penalty tiers. */
#include "config.h"
#include "status.h"

static const struct {
	const char *name;
	double penalty;
} status_table[STATUS__COUNT] = {
	[STATUS_OK] = {"ok", 0.0},
	[STATUS_REJECTED] = {"rejected", -100.0},
	[STATUS_COMPILE_ERROR] = {"compile_error", -40.0},
	[STATUS_TIMEOUT] = {"timeout", -30.0},
	[STATUS_RUNTIME_ERROR] = {"runtime_error", -20.0},
	[STATUS_WRONG_ANSWER] = {"wrong_answer", -10.0},
};

const char *status_name(status_t s)
{
	return (unsigned)s < STATUS__COUNT ? status_table[s].name : "unknown";
}

double status_penalty(status_t s)
{
	return (unsigned)s < STATUS__COUNT ? status_table[s].penalty : -100.0;
}
