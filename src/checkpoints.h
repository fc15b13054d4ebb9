/* checkpoints.h - the GPU step's checkpoints in a run directory: RUN/iter-NNNN/checkpoint/ (one
 * round per iteration) or RUN/iter-NNNN/round-RR/checkpoint/; which are complete, which is the
 * best, and pruning to a bounded number (gpu_step.keep_checkpoints). */
#ifndef PERFRL_CHECKPOINTS_H
#define PERFRL_CHECKPOINTS_H

#include <stddef.h>
#include "iterlog.h"

/* 1 when ROUND_DIR/checkpoint is complete: the trl driver's COMPLETE (written last) or the
 * builtin policy's policy.json (written atomically). */
int checkpoints_complete(const char *round_dir);

/* The last round (1..rounds) of the iteration iter_dir whose checkpoint is complete, or 0: where
 * a rerun of its job starts (earlier rounds count as done, their checkpoints pruned or not). */
int checkpoints_last_round(const char *iter_dir, int rounds);

/* The complete checkpoint whose round had the best mean training reward, by the iteration
 * records recs[0..n); 0 with *iter and *round set (round 0: the iteration's only one), or -1
 * when no complete checkpoint has a known reward. */
int checkpoints_best(const char *run_dir, const struct iter_record *recs, size_t n, long *iter,
		     int *round);

/* Delete every complete checkpoint of run_dir but the newest keep ones and the best: an older
 * one goes only once keep newer ones are complete. Says what it deleted; a checkpoint it cannot
 * delete is reported and kept. The number deleted. */
int checkpoints_prune(const char *run_dir, int keep);

#endif
