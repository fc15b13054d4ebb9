/* reward.c - from a measurement to the number GRPO sees. */
#include "config.h"
#include "reward.h"

#include <math.h>
#include <string.h>

static const char *const mode_names[] = {"gflops", "log", "ratio"};

int reward_parse(const char *s, enum reward_mode *mode)
{
	for (int i = 0; i < 3; i++)
		if (!strcmp(s, mode_names[i])) {
			*mode = (enum reward_mode)i;
			return 0;
		}
	return -1;
}

const char *reward_mode_name(enum reward_mode mode)
{
	return (unsigned)mode < 3 ? mode_names[mode] : "unknown";
}

double reward_of(status_t st, double gflops, enum reward_mode mode, double reference_gflops)
{
	if (st != STATUS_OK)
		return status_penalty(st);
	switch (mode) {
	case REWARD_LOG:
		return log2(1 + gflops);
	case REWARD_RATIO:
		return reference_gflops > 0 ? gflops / reference_gflops : 0;
	case REWARD_GFLOPS:
	default:
		return gflops;
	}
}
