/* iterlog.h - the iteration records: RUN/state/iterations.jsonl, durable and append-safe. */
#ifndef PERFRL_ITERLOG_H
#define PERFRL_ITERLOG_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* Slurm's names and meanings (a het job's state is its leader's). */
enum iter_state {
	ITER_PENDING,
	ITER_RUNNING,
	ITER_COMPLETED,
	ITER_FAILED,
	ITER_CANCELLED,
	ITER_TIMEOUT,
	ITER_NODE_FAIL,
	ITER_PREEMPTED,
	ITER_REQUEUED,
	ITER__COUNT
};

#define ITERLOG_UNKNOWN (-1.0) /* best/median GFLOPS, coverage, qd_score not known (yet) */

#define ITERLOG_ROUNDS_MAX 64 /* gpu_step.rounds' upper bound */

/* One round (one GRPO step) of an iteration of several: its samples as iterlog_summarise
 * counts them, and whether its update was applied (its checkpoint was complete). */
struct iter_round {
	long samples, ok, rejected, compile_error, timeout, runtime_error, wrong_answer;
	double best_gflops, median_gflops, mean_reward;
	int updated;
};

/* One RL iteration as `perfrl acct` shows it. In the JSON line the keys are the member names
 * (job_id a string, state a name above, times epoch seconds; null or absent: unknown). */
struct iter_record {
	long iter;
	char job_id[32];        /* "1234" or "1234+0"; "" before submission */
	enum iter_state state;
	int stage;              /* SQD stage */
	int64_t submit, start, end; /* epoch seconds, 0 unknown */
	long samples, ok, rejected, compile_error, timeout, runtime_error, wrong_answer;
	double best_gflops, median_gflops; /* of ok samples; ITERLOG_UNKNOWN when none */
	double mean_reward;     /* over all samples; meaningless when samples == 0 */
	double coverage;        /* archive coverage 0..1, ITERLOG_UNKNOWN before SQD */
	double qd_score;        /* ITERLOG_UNKNOWN before SQD */
	int retries;
	int rounds;             /* GRPO steps the job was to run (gpu_step.rounds); 1 */
	int rounds_done;        /* of them, the ones whose update was applied */
	struct iter_round round[ITERLOG_ROUNDS_MAX]; /* with rounds > 1: each round's own */
};

const char *iterlog_state_name(enum iter_state s);
/* A full state name, case-insensitively; -1 when unknown. */
int iterlog_state_parse(const char *name);
/* A record with everything unknown/zero: fill in what you know, then iterlog_record_json. */
void iterlog_record_init(struct iter_record *r, long iter);
/* The JSON line of a record (new reference). */
json_t *iterlog_record_json(const struct iter_record *r);

/* Append rec (borrowed) as one line of RUN/state/iterations.jsonl: one write(), O_APPEND, then
 * fsync. A record must have "iter" (integer >= 0) and "state"; it is validated as the reader
 * will read it. A torn tail left by a crash is cut off first. One writer per run directory
 * (the orchestrator); readers may run at any time. 0, or -1 with err set. */
int iterlog_append(const char *run_dir, json_t *rec, char *err, size_t errlen);
/* Every iteration's latest record, sorted by iteration: a later line for the same iteration
 * supersedes an earlier one. Unreadable lines (a torn last line after a crash) are skipped
 * with a note on stderr. No store yet: 0 records. A missing run_dir: -1 with err set.
 * Free *out with iterlog_free. */
int iterlog_load(const char *run_dir, struct iter_record **out, size_t *n, char *err,
		 size_t errlen);
void iterlog_free(struct iter_record *recs);

/* From an array of perfrl bench records (all shards of an iteration in one array): samples,
 * the status counts, best and median GFLOPS of the ok ones, and the mean reward. The other
 * members of r are left alone. -1 when results is not an array or an element has no known
 * status or no numeric reward (such elements are not counted; the others are). */
int iterlog_summarise(json_t *results, struct iter_record *r);

/* The directory of round k (1-based) of an iteration of `rounds` rounds: ITER_DIR itself when
 * there is one round, else ITER_DIR/round-KK. 0, or -1 when it does not fit. */
int iterlog_round_dir(char *buf, size_t len, const char *iter_dir, int k, int rounds);

/* Append "EVENT<TAB>epoch seconds" to ITER_DIR/timeline.tsv, the iteration's timeline, which
 * the job script, the GPU step and the orchestrator write (benchmarks/iteration_split reads
 * it). Best effort: a timeline is never worth failing an iteration for. */
void iterlog_stamp(const char *iter_dir, const char *event);
/* The latest time (epoch seconds) EVENT was stamped in ITER_DIR/timeline.tsv; 0: never. */
double iterlog_stamp_time(const char *iter_dir, const char *event);
/* The last event of ITER_DIR/timeline.tsv that starts with PREFIX, into event (""), and its
 * time; 0: none. */
double iterlog_stamp_prefix(const char *iter_dir, const char *prefix, char *event, size_t len);

#endif
