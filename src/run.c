/* run.c - submit, watch and reattach one perfrl job: one fault handling for `perfrl run` and
 * `perfrl eval`. */
#include "config.h"
#include "run.h"
#include "iterlog.h"
#include "util.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

volatile sig_atomic_t run_stop_signal;

int run_submit(const struct sc_job_spec *spec, int het, const char *who, uint32_t *job)
{
	char err[512];
	uint32_t ids[8];
	int n, rc;

	n = sc_find_by_name(spec->name, ids, 8, err, sizeof err);
	for (int i = 0; i < n && i < 8; i++) {
		struct sc_job_state st;
		/* Same name and comment (it names the run or evaluation directory): ours. */
		if (sc_query(ids[i], &st, err, sizeof err) == SC_OK && !st.finished &&
		    (!spec->comment || !strncmp(st.comment, spec->comment, sizeof st.comment - 1))) {
			util_info("%s: reattaching to job %u (%s)", who, ids[i], spec->name);
			*job = ids[i];
			return 0;
		}
	}
	for (int tries = 0;; tries++) {
		rc = het ? sc_submit_het(spec, job, err, sizeof err)
			 : sc_submit_one(spec, 1, job, err, sizeof err);
		if ((rc != SC_UNREACHABLE && rc != SC_BUSY) || run_stop_signal || tries > 120)
			break;
		util_info("%s: slurmctld %s (%s); retrying in 5 s", who, sc_rc_name(rc), err);
		sleep(5);
	}
	if (rc != SC_OK)
		return util_error("%s: submitting %s failed: %s", who, spec->name, err);
	return 0;
}

void run_wait_ended(uint32_t job, int limit_s)
{
	char err[512];
	time_t until = time(NULL) + limit_s;
	for (;;) {
		struct sc_job_state st;
		int rc = sc_query(job, &st, err, sizeof err);
		if (rc == SC_GONE || (rc == SC_OK && st.finished) || time(NULL) >= until)
			return;
		{
			struct timespec ts = {0, 200 * 1000 * 1000};
			nanosleep(&ts, NULL);
		}
	}
}

void run_lingering(const struct sc_job_state *st, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (int k = 0; k < st->ncomp && used < len; k++) {
		const struct sc_comp_state *c = &st->comp[k];
		if (c->finished)
			continue;
		used += (size_t)snprintf(buf + used, len - used, "%scomponent %d (job %u) %s on %s",
					 used ? ", " : "", k, c->job_id, c->state,
					 c->nodes[0] ? c->nodes : "no node");
	}
}

/* What a job that is not progressing waits for, as squeue would say it. */
static void say_waiting(const struct run_watch_opts *o, uint32_t job, const struct sc_job_state *st,
			long for_s)
{
	char what[600];
	long total = 0, done;
	for (int k = 0; k < st->ncomp; k++) {
		const struct sc_comp_state *c = &st->comp[k];
		if (!strcmp(c->state, "PENDING")) {
			util_info("%s: job %u PENDING (%s) for %ld s", o->who, job,
				  c->reason[0] ? c->reason : "None", for_s);
			return;
		}
		if (!strcmp(c->state, "COMPLETING")) {
			run_lingering(st, what, sizeof what);
			util_info("%s: job %u: %s for %ld s", o->who, job, what, for_s);
			return;
		}
	}
	done = o->progress ? o->progress(o->arg, &total) : -2;
	if (done == -1)
		util_info("%s: job %u %s on %s for %ld s: waiting for the GPU step's completions",
			  o->who, job, st->state, st->comp[0].nodes, for_s);
	else if (total > 0 && done >= total) /* the CPU step is done, the GPU step learns */
		util_info("%s: job %u %s on %s for %ld s: all %ld samples measured, waiting for the GPU "
			  "step's update", o->who, job, st->state, st->comp[0].nodes, for_s, total);
	else if (done >= 0)
		util_info("%s: job %u %s for %ld s: waiting for rewards, %ld of %ld samples measured",
			  o->who, job, st->state, for_s, done, total);
	else
		util_info("%s: job %u %s on %s for %ld s", o->who, job, st->state, st->comp[0].nodes,
			  for_s);
}

enum run_watch_end run_watch(const struct run_watch_opts *o, uint32_t job, struct sc_job_state *out,
			     double *end_stamp)
{
	char err[512], last[32] = "";
	time_t away_since = 0, said = time(NULL), since = time(NULL), done_seen = 0;
	*end_stamp = 0;
	memset(out, 0, sizeof *out);
	for (;;) {
		struct sc_job_state st;
		int rc = sc_query(job, &st, err, sizeof err);
		time_t now = time(NULL);
		if (o->cancel && o->cancel(o->arg)) {
			sc_cancel(job, err, sizeof err);
			util_info("%s: cancel requested: job %u cancelled", o->who, job);
			run_wait_ended(job, 60);
			return RUN_W_CANCELLED;
		}
		if (run_stop_signal)
			return RUN_W_STOPPED;
		if (rc == SC_UNREACHABLE || rc == SC_BUSY) {
			if (!away_since) {
				away_since = said = now;
				util_info("%s: slurmctld does not answer (%s); waiting", o->who, err);
			} else if (now - said >= o->status_s) {
				said = now;
				util_info("%s: slurmctld away for %ld s (%s); job %u still waited for", o->who,
					  (long)(now - away_since), err, job);
			}
		} else if (rc == SC_GONE) {
			return RUN_W_GONE;
		} else if (rc != SC_OK) {
			util_error("%s: job %u: %s", o->who, job, err);
			return RUN_W_ERROR;
		} else {
			double end;
			if (away_since)
				util_info("%s: slurmctld is back after %ld s", o->who, (long)(now - away_since));
			away_since = 0;
			for (int k = 0; k < st.ncomp; k++) /* COMPLETING is a component's, not the summary's */
				if (!strcmp(st.comp[k].state, "COMPLETING"))
					snprintf(st.state, sizeof st.state, "COMPLETING");
			*out = st;
			if (strcmp(last, st.state)) {
				util_info("%s: job %u %s%s%s", o->who, job, st.state,
					  st.comp[0].nodes[0] ? " on " : "", st.comp[0].nodes);
				snprintf(last, sizeof last, "%s", st.state);
				since = said = now;
				if (o->on_state)
					o->on_state(o->arg, &st);
			}
			if (st.finished) {
				/* A component that ended otherwise than the job says so: the CPU
				 * step's TIMEOUT (or OUT_OF_MEMORY, NODE_FAIL) under a FAILED job is
				 * otherwise only in Slurm's log. */
				for (int k = 0; k < st.ncomp; k++)
					if (strcmp(st.comp[k].state, st.state))
						util_info("%s: job %u: component %d (job %u) ended %s on %s",
							  o->who, job, k, st.comp[k].job_id, st.comp[k].state,
							  st.comp[k].nodes[0] ? st.comp[k].nodes : "no node");
				return RUN_W_ENDED;
			}
			/* The batch script's own end stamp, of this job (not of an earlier one). */
			end = o->dir && o->end_event ? iterlog_stamp_time(o->dir, o->end_event) : 0;
			if (end > 0 && st.comp[0].start_time && end + 1 >= (double)st.comp[0].start_time) {
				if (!done_seen)
					done_seen = now;
				if (now - done_seen >= o->grace_s) {
					char comps[600];
					long total = 0, done = o->progress ? o->progress(o->arg, &total) : -2;
					char counts[96] = "";
					run_lingering(&st, comps, sizeof comps);
					if (done >= 0)
						snprintf(counts, sizeof counts, " (%ld of %ld samples measured)", done,
							 total);
					util_info("%s: the batch script of job %u ended %ld s ago%s but Slurm "
						  "still shows %s: going on; that component is left to Slurm",
						  o->who, job, (long)(now - (time_t)end), counts,
						  comps[0] ? comps : st.state);
					*end_stamp = end;
					return RUN_W_DONE;
				}
			}
			if (now - said >= o->status_s) {
				said = now;
				say_waiting(o, job, &st, (long)(now - since));
			}
		}
		{
			struct timespec ts = {o->poll_s, 0};
			nanosleep(&ts, NULL); /* a signal cuts it short */
		}
	}
}
