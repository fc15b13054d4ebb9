/* checkpoints.c - the GPU step's checkpoints in a run directory, and their retention. */
#include "config.h"
#include "checkpoints.h"
#include "util.h"

#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int checkpoints_complete(const char *round_dir)
{
	char path[PATH_MAX + 64];
	snprintf(path, sizeof path, "%s/checkpoint/COMPLETE", round_dir);
	if (access(path, F_OK) == 0)
		return 1;
	snprintf(path, sizeof path, "%s/checkpoint/policy.json", round_dir);
	return access(path, F_OK) == 0;
}

int checkpoints_last_round(const char *iter_dir, int rounds)
{
	for (int k = rounds; k >= 1; k--) {
		char rd[PATH_MAX];
		if (iterlog_round_dir(rd, sizeof rd, iter_dir, k, rounds) == 0 && checkpoints_complete(rd))
			return k;
	}
	return 0;
}

struct ckpt {
	long iter;
	int round; /* 0: the iteration's only round */
	char *path; /* the checkpoint directory */
};

static int newest_first(const void *a, const void *b)
{
	const struct ckpt *x = a, *y = b;
	if (x->iter != y->iter)
		return x->iter < y->iter ? 1 : -1;
	return (x->round < y->round) - (x->round > y->round);
}

/* The complete checkpoints of run_dir, newest first. */
static struct ckpt *list(const char *run_dir, size_t *n)
{
	static const char *const patterns[] = {"/iter-*/checkpoint", "/iter-*/round-*/checkpoint"};
	struct ckpt *v = NULL;
	*n = 0;
	for (size_t p = 0; p < sizeof patterns / sizeof patterns[0]; p++) {
		char pat[PATH_MAX + 64];
		glob_t g;
		snprintf(pat, sizeof pat, "%s%s", run_dir, patterns[p]);
		if (glob(pat, GLOB_ONLYDIR, NULL, &g) != 0)
			continue;
		for (size_t i = 0; i < g.gl_pathc; i++) {
			const char *rel = g.gl_pathv[i] + strlen(run_dir);
			char rd[PATH_MAX];
			long it;
			int round = 0, used = 0;
			size_t dl = strlen(g.gl_pathv[i]) - strlen("/checkpoint");
			if (p == 0 ? sscanf(rel, "/iter-%ld/checkpoint%n", &it, &used) != 1
				   : sscanf(rel, "/iter-%ld/round-%d/checkpoint%n", &it, &round, &used) != 2)
				continue;
			if (rel[used] || round < 0 || dl >= sizeof rd)
				continue;
			memcpy(rd, g.gl_pathv[i], dl);
			rd[dl] = '\0';
			if (!checkpoints_complete(rd))
				continue;
			{
				struct ckpt *nv = realloc(v, (*n + 1) * sizeof *v);
				if (!nv)
					abort();
				v = nv;
			}
			v[(*n)++] = (struct ckpt){it, round, util_xstrdup(g.gl_pathv[i])};
		}
		globfree(&g);
	}
	if (*n)
		qsort(v, *n, sizeof *v, newest_first);
	return v;
}

static void list_free(struct ckpt *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].path);
	free(v);
}

/* The mean training reward of a round by the records; 0 when not known. */
static int reward_of(const struct iter_record *recs, size_t n, long iter, int round, double *out)
{
	for (size_t i = 0; i < n; i++) {
		const struct iter_record *r = &recs[i];
		if (r->iter != iter)
			continue;
		if (round == 0 && r->samples > 0) {
			*out = r->mean_reward;
			return 1;
		}
		if (round >= 1 && round <= r->rounds && round <= ITERLOG_ROUNDS_MAX &&
		    r->round[round - 1].samples > 0) {
			*out = r->round[round - 1].mean_reward;
			return 1;
		}
	}
	return 0;
}

static int best_of(const struct ckpt *v, size_t nv, const struct iter_record *recs, size_t n)
{
	int best = -1;
	double best_r = 0;
	for (size_t i = 0; i < nv; i++) {
		double rw;
		if (reward_of(recs, n, v[i].iter, v[i].round, &rw) && (best < 0 || rw > best_r)) {
			best = (int)i;
			best_r = rw;
		}
	}
	return best;
}

int checkpoints_best(const char *run_dir, const struct iter_record *recs, size_t n, long *iter,
		     int *round)
{
	size_t nv;
	struct ckpt *v = list(run_dir, &nv);
	int b = best_of(v, nv, recs, n);
	if (b >= 0) {
		*iter = v[b].iter;
		*round = v[b].round;
	}
	list_free(v, nv);
	return b >= 0 ? 0 : -1;
}

int checkpoints_prune(const char *run_dir, int keep)
{
	struct iter_record *recs = NULL;
	size_t n = 0, nv;
	char err[512];
	struct ckpt *v = list(run_dir, &nv);
	int best, deleted = 0;
	if (keep <= 0 || nv <= (size_t)keep) {
		list_free(v, nv);
		return 0;
	}
	if (iterlog_load(run_dir, &recs, &n, err, sizeof err) != 0)
		util_info("checkpoints: %s; keeping the newest %d only", err, keep);
	best = best_of(v, nv, recs, n);
	for (size_t i = (size_t)keep; i < nv; i++) {
		if ((int)i == best)
			continue;
		if (util_rmtree(v[i].path) != 0) {
			util_error("cannot delete the old checkpoint %s: %s (kept)", v[i].path,
				   strerror(errno));
			continue;
		}
		deleted++;
	}
	if (deleted)
		util_info("checkpoints: deleted %d old checkpoint(s); kept the newest %d%s%s", deleted,
			  keep, best >= keep ? " and the best, " : "",
			  best >= keep ? v[best].path : "");
	iterlog_free(recs);
	list_free(v, nv);
	return deleted;
}
