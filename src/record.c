/* record.c - one benchmark result as a JSON record (the CPU step's output format). */
#include "config.h"
#include "record.h"
#include "sandbox.h"
#include "cgroup.h"
#include <string.h>
#include "util.h"

#include <stdio.h>

static json_t *shape_str(struct shape s)
{
	char buf[64];
	snprintf(buf, sizeof buf, "%dx%dx%d", s.m, s.n, s.k);
	return json_string(buf);
}

json_t *record_make(const struct record_input *in)
{
	json_t *r = json_object(), *shapes = json_array(), *checks = json_array();
	const struct measurement *m = in->measure;
	const struct build_result *b = in->build;
	int ok = in->status == STATUS_OK;

	if (in->sample_id)
		json_object_set(r, "sample_id", in->sample_id);
	if (in->problem_id)
		json_object_set(r, "problem_id", in->problem_id);
	if (in->file)
		json_object_set_new(r, "file", json_string(in->file));
	json_object_set_new(r, "status", json_string(status_name(in->status)));
	json_object_set_new(r, "gflops", ok && m ? json_real(m->gflops) : json_null());
	json_object_set_new(r, "cv", ok && m ? json_real(m->cv) : json_null());
	json_object_set_new(r, "reward", json_real(in->reward));
	json_object_set_new(r, "reward_mode", json_string(in->reward_mode));
	if (in->reference_gflops > 0)
		json_object_set_new(r, "reference_gflops", json_real(in->reference_gflops));
	json_object_set_new(r, "detail", json_string(in->detail ? in->detail : ""));
	json_object_set_new(r, "shape", shape_str(in->opts->shapes[0]));
	for (int i = 0; m && i < m->nshapes; i++) {
		const struct shape_result *s = &m->shapes[i];
		json_array_append_new(shapes, json_pack("{s:o, s:f, s:f, s:f, s:f, s:f, s:i, s:i}",
							"shape", shape_str(s->s), "gflops",
							s->gflops, "cv", s->cv, "cv_stdev",
							s->cv_stdev, "seconds", s->seconds,
							"timed_seconds", s->timed_s, "reps", s->reps,
							"fully_checked", s->checked));
	}
	json_object_set_new(r, "shapes", shapes);
	/* The shapes this run checked (drawn afresh each time); before a run, the fixed ones. */
	for (int i = 0; i < (m && m->nchecked ? m->nchecked : measure_ncheck_shapes); i++)
		json_array_append_new(checks, shape_str(m && m->nchecked ? m->checked[i]
								       : measure_check_shapes[i]));
	json_object_set_new(r, "checked_shapes", checks);
	json_object_set_new(r, "techniques", json_array());
	if (b && b->hash[0])
		json_object_set_new(r, "build", json_pack("{s:s, s:s, s:b, s:s, s:f}", "compiler",
							  b->compiler, "flags", b->flags, "cached",
							  b->cached, "hash", b->hash, "seconds",
							  b->seconds));
	else
		json_object_set_new(r, "build", json_null());
	json_object_set_new(r, "node", json_string(util_hostname()));
	if (m) {
		json_object_set_new(r, "threads", json_integer(m->threads));
		json_object_set_new(r, "peak_gflops", json_real(m->peak_gflops));
		if (m->peak_how)
			json_object_set_new(r, "peak_how", json_string(m->peak_how));
		if (m->nominal_peak_gflops > 0)
			json_object_set_new(r, "nominal_peak_gflops", json_real(m->nominal_peak_gflops));
		json_object_set_new(r, "time_split",
				    json_pack("{s:f, s:f, s:f, s:f, s:f, s:f}", "run", m->seconds,
					      "lock_wait", m->lock_wait_s, "start", m->start_s, "calls",
					      m->call_s, "inputs", m->input_s, "checks", m->check_s));
	}
	if (m && m->peak_memory)
		json_object_set_new(r, "peak_memory_mb", json_real((double)m->peak_memory / (1 << 20)));
	{
		char sb[64];
		snprintf(sb, sizeof sb, "%s%s%s", sandbox_mode(), strcmp(cgroup_kind(), "none") ? "+cgroup-" : "",
			 strcmp(cgroup_kind(), "none") ? cgroup_kind() : "");
		json_object_set_new(r, "sandbox", json_string(sb));
	}
	return r;
}
