/* slurm_client.h - submit, watch and cancel one RL iteration's heterogeneous job through libslurm. */
#ifndef PERFRL_SLURM_CLIENT_H
#define PERFRL_SLURM_CLIENT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/*
 * Every sc_ function returns one of these. The negative codes other than SC_ERR are the ones a
 * caller acts on: SC_GONE means slurmctld no longer knows the job (it ended more than MinJobAge
 * seconds ago, or never existed), SC_UNREACHABLE means slurmctld did not answer (restarting, down,
 * munge not running): wait and call again. SC_BUSY: slurmctld answered "not now" (queue full,
 * temporarily disabled); wait and retry.
 */
enum sc_rc {
	SC_OK = 0,
	SC_ERR = -1,          /* anything else: a refused request, a bad spec; see the message */
	SC_GONE = -2,         /* ESLURM_INVALID_JOB_ID: not (or no longer) known to slurmctld */
	SC_UNREACHABLE = -3,  /* slurmctld did not answer; safe to retry later */
	SC_BUSY = -4,         /* slurmctld asked us to retry later */
};

/* Human name of an sc_rc value ("ok", "gone", "unreachable", ...). */
const char *sc_rc_name(int rc);

#define SC_NCOMP 2 /* component 0: the GPU step (runs the batch script); 1: the CPU step */

/* The resources of one component, as sbatch's options for that component. */
struct sc_component {
	const char *partition;   /* NULL: the cluster's default partition */
	const char *gres;        /* "gpu:1" (as --gres), or NULL for none */
	const char *account;     /* NULL: the user's default */
	const char *qos;         /* NULL: the default */
	int nodes;               /* 0: let Slurm decide */
	int ntasks;              /* >= 1 */
	int ntasks_per_node;     /* 0: unset (note: `-n 2` alone may pack both tasks on one node) */
	int cpus_per_task;       /* 0: 1 */
	int mem_mb;              /* per node; 0: the cluster's default */
	int time_limit_min;      /* 0: the partition's limit */
	int exclusive;           /* 1: --exclusive (whole nodes) */
};

/*
 * One heterogeneous batch job. By convention the name is "perfrl:RUN:iter-NNNN" and the comment
 * "perfrl run=RUN_DIR iter=N", so that squeue, scontrol and sacct tell an admin what it is; the
 * name also lets sc_find_by_name find a job whose id was lost (see sc_submit_het).
 */
struct sc_job_spec {
	const char *name;        /* job name (both components) */
	const char *comment;     /* job comment (both components), or NULL */
	const char *workdir;     /* the job's working directory; NULL: the current directory */
	const char *std_out;     /* the batch script's stdout+stderr path (Slurm patterns %j %x ...);
	                          * NULL: slurm-%j.out in workdir */
	const char *script;      /* the batch script text, starting with "#!"; #SBATCH lines in it are
	                          * ignored (only sbatch reads them): the resources come from comp[] */
	char *const *env;        /* NULL-terminated "NAME=value" list: the job's whole environment.
	                          * SLURM_CONF and PATH are added from ours when missing (srun in the
	                          * script needs them); other SLURM_* variables are dropped (those of
	                          * a job we run in would mislead the new job's sruns). NULL: just
	                          * SLURM_CONF and PATH. */
	struct sc_component comp[SC_NCOMP];
};

/*
 * Jobs are submitted with requeue off (sbatch --no-requeue): perfrl recovers from a failed
 * node itself, faster and without measuring anything twice.
 * Submit the het job with slurm_submit_batch_het_job; *het_job_id gets the leader's id
 * (component k is job het_job_id + k). On SC_UNREACHABLE the request may still have reached
 * slurmctld (a lost reply): look for the job with sc_find_by_name before submitting again.
 */
int sc_submit_het(const struct sc_job_spec *spec, uint32_t *het_job_id, char *err, size_t errlen);

/* Submit a plain (not heterogeneous) batch job: spec's script with the resources of
 * spec->comp[comp] only (a CPU-only follow-up job, say). sc_query reports it with ncomp = 1. */
int sc_submit_one(const struct sc_job_spec *spec, int comp, uint32_t *job_id, char *err,
		  size_t errlen);

/* One component's state, as slurm_load_job reports it. */
struct sc_comp_state {
	uint32_t job_id;         /* this component's own job id */
	uint32_t offset;         /* het_job_offset */
	char state[32];          /* squeue's name: PENDING RUNNING COMPLETING COMPLETED CANCELLED
	                          * FAILED TIMEOUT NODE_FAIL REQUEUED ... */
	unsigned base;           /* enum job_states (JOB_PENDING ... JOB_OOM) */
	int finished;            /* a final state, nothing left to run (not COMPLETING, not REQUEUE) */
	char reason[64];         /* squeue's %r: None, Resources, Priority, BeginTime, NodeDown ... */
	char reason_desc[128];   /* state_desc, when slurmctld gives one */
	int exit_code;           /* the batch script's (component 0) exit status; -1: killed or n/a */
	int exit_signal;         /* the signal that killed it, or 0 */
	char nodes[256];         /* allocated nodes (hostlist), "" while pending */
	char partition[64];
	time_t submit_time, start_time, end_time; /* 0 where not (yet) known; no estimates */
	unsigned restart_cnt;    /* requeues so far */
};

/* The whole het job (or plain job: ncomp 1). */
struct sc_job_state {
	uint32_t het_job_id;
	int ncomp;
	struct sc_comp_state comp[SC_NCOMP];
	char name[128];
	char comment[256];
	/* Summary: PENDING while any component waits, RUNNING while any runs or completes, else
	 * COMPLETED when every component COMPLETED, else the first other final state. */
	char state[32];
	int finished;            /* every component finished */
	int ok;                  /* finished, every component COMPLETED with exit code 0 */
	unsigned restart_cnt;    /* the largest of the components' */
};

/*
 * The state of het job het_job_id. SC_GONE: slurmctld does not know it (purged after MinJobAge,
 * or never submitted); SC_UNREACHABLE: slurmctld did not answer; both leave *out zeroed.
 */
int sc_query(uint32_t het_job_id, struct sc_job_state *out, char *err, size_t errlen);

/* Cancel the whole het job (SIGKILL to every step, like scancel). Cancelling a job that already
 * ended is SC_OK; an unknown one is SC_GONE. */
int sc_cancel(uint32_t het_job_id, char *err, size_t errlen);

/*
 * Fault injection: send sig (SIGKILL = cancel) to one component of a running het job, as
 * `scancel -s SIG JOB+OFFSET` does. Slurm refuses this while the job is pending, and cancelling
 * component 0 cancels the whole job.
 */
int sc_cancel_component(uint32_t het_job_id, unsigned offset, int sig, char *err, size_t errlen);

/*
 * The ids of this user's het jobs (leaders) named name that slurmctld still knows, newest first:
 * at most max of them go to ids; returns how many there are (>= 0), or a negative sc_rc.
 */
int sc_find_by_name(const char *name, uint32_t *ids, size_t max, char *err, size_t errlen);

/* Does slurmctld answer? SC_OK or SC_UNREACHABLE. */
int sc_ping(char *err, size_t errlen);

#endif
