/* run.h - submit, watch and reattach one perfrl job (an iteration's, a follow-up, an
 * evaluation's): the Slurm fault handling every submitter shares. */
#ifndef PERFRL_RUN_H
#define PERFRL_RUN_H

#include "slurm_client.h"

#include <signal.h>
#include <stdint.h>

/* Set by the caller's SIGTERM/SIGINT handler: submission retries and watches stop at once. */
extern volatile sig_atomic_t run_stop_signal;

/*
 * Submit spec (het: the het job, else component 1 alone). A job of spec->name and
 * spec->comment that slurmctld still knows and that has not finished is reattached instead (a submission whose reply was
 * lost, a submitter killed right after submitting). An unreachable or busy slurmctld is
 * retried every 5 s, said aloud, for 10 minutes. who prefixes what is said ("iteration 3").
 * 0 with *job, or -1 said.
 */
int run_submit(const struct sc_job_spec *spec, int het, const char *who, uint32_t *job);

/* After a cancel: until slurmctld says the job is over, at most limit_s seconds. */
void run_wait_ended(uint32_t job, int limit_s);

/* How run_watch ended. */
enum run_watch_end {
	RUN_W_ENDED,     /* Slurm says the job finished: *st is its last state */
	RUN_W_DONE,      /* the batch script stamped its end; a component lingers past the grace */
	RUN_W_GONE,      /* slurmctld forgot it (purged): what is on disk decides */
	RUN_W_CANCELLED, /* opts->cancel said so: the job was cancelled and waited for */
	RUN_W_STOPPED,   /* run_stop_signal */
	RUN_W_ERROR,     /* said */
};

struct run_watch_opts {
	const char *who;        /* "iteration 3", "perfrl eval" */
	int poll_s, status_s, grace_s; /* slurm.poll_interval_s, status_interval_s, done_grace_s */
	const char *dir;        /* where timeline.tsv is (NULL: no end stamp is looked for) */
	const char *end_event;  /* the batch script's end stamp ("job_end") */
	void *arg;              /* for the callbacks, each of which may be NULL: */
	int (*cancel)(void *arg);                        /* 1: cancel the job now */
	void (*on_state)(void *arg, const struct sc_job_state *st); /* a new state */
	long (*progress)(void *arg, long *total);        /* samples measured so far, -1: none yet */
};

/*
 * Until the job ends, with what it waits for said every status_s (PENDING with Slurm's reason,
 * COMPLETING on which node, slurmctld away, rewards so far), as squeue would. Work done is
 * work done: once the batch script has stamped end_event (after the job's start), the job is
 * taken as ended grace_s later even if a component lingers COMPLETING; that component is
 * named (its state and node) and left to Slurm. *st gets the last state seen, *end_stamp the
 * batch script's end (0 when not seen).
 */
enum run_watch_end run_watch(const struct run_watch_opts *o, uint32_t job, struct sc_job_state *st,
			     double *end_stamp);

/* "component 1 (job 143) COMPLETING on cpu1, ..." for every component that has not finished. */
void run_lingering(const struct sc_job_state *st, char *buf, size_t len);

#endif
