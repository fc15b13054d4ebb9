/* status.h - the statuses of a benchmarked kernel and the paper's reward tiers. */
#ifndef PERFRL_STATUS_H
#define PERFRL_STATUS_H

typedef enum {
	STATUS_OK,
	STATUS_REJECTED,      /* policy: forbidden call/header/symbol, technique, no code */
	STATUS_COMPILE_ERROR, /* compiler or linker failed */
	STATUS_TIMEOUT,       /* ran past its limit */
	STATUS_RUNTIME_ERROR, /* crashed, killed, out of memory, exited early */
	STATUS_WRONG_ANSWER,  /* ran, but a check failed */
	STATUS__COUNT
} status_t;

const char *status_name(status_t s);
/* The penalty of a failure tier (doc/design.md); 0 for STATUS_OK. */
double status_penalty(status_t s);

#endif
