/* eval_summary.c - an evaluation's figures, per problem and overall, from its files. */
#include "config.h"
#include "eval_summary.h"
#include "jsonl.h"
#include "metrics.h"
#include "status.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const baselines[] = EVAL_BASELINES;
#define NBASE (sizeof baselines / sizeof *baselines)
static const double fast_ps[] = {0, 0.5, 1, 1.5, 2};
#define NFAST (sizeof fast_ps / sizeof *fast_ps)

/* One problem's measured samples. */
struct prob {
	const char *id, *name, *shape; /* id: the problem's key (jsonl_id_key); name: as shown */
	json_t *prompt;
	int n, cap, ok, judged, compliant, unmeasured;
	double *gflops;   /* 0 for a failed sample */
	double *eff_seq;  /* speedup over the sequential baseline / threads */
	int *correct;
	json_t *status;   /* status -> count */
	json_t *techs;    /* technique -> samples using it */
	json_t *best;     /* the best ok record (borrowed) */
	json_t *best_line;
};

/* The shape's baselines from baseline.jsonl: {naive, ikj, openblas, blis, mkl, library, *_core,
 * peak, nominal_peak, node, threads}. */
static json_t *baseline_table(json_t *lines)
{
	json_t *t = json_object(), *l;
	size_t i;
	json_array_foreach(lines, i, l) {
		const char *kernel = json_string_value(json_object_get(l, "kernel")),
			   *file = json_string_value(json_object_get(l, "file"));
		json_t *shapes = json_object_get(l, "shapes"), *s;
		size_t j;
		char name[32];
		if (kernel) { /* perfrl bench --openblas */
			const char *shape = json_string_value(json_object_get(l, "shape"));
			json_t *row;
			if (!shape)
				continue;
			if (!(row = json_object_get(t, shape)))
				json_object_set_new(t, shape, row = json_object());
			json_object_set(row, kernel, json_object_get(l, "gflops"));
			if (json_is_string(json_object_get(l, "core"))) {
				char *k = util_xasprintf("%s_core", kernel);
				json_object_set(row, k, json_object_get(l, "core"));
				free(k);
			}
			/* "library": the best library on this node, a max over independent ones */
			if (json_number_value(json_object_get(l, "gflops")) >
			    json_number_value(json_object_get(row, "library")))
				json_object_set(row, "library", json_object_get(l, "gflops"));
			continue;
		}
		if (!file) /* a baseline kernel's record: its file names it */
			continue;
		snprintf(name, sizeof name, "%s", strrchr(file, '/') ? strrchr(file, '/') + 1 : file);
		if (strchr(name, '.'))
			*strchr(name, '.') = '\0';
		json_array_foreach(shapes, j, s) {
			const char *shape = json_string_value(json_object_get(s, "shape"));
			json_t *row;
			if (!shape)
				continue;
			if (!(row = json_object_get(t, shape)))
				json_object_set_new(t, shape, row = json_object());
			if (!strcmp(json_string_value(json_object_get(l, "status")) ?: "", "ok"))
				json_object_set(row, name, json_object_get(s, "gflops"));
			else /* a baseline that failed is said so, never replaced */
				json_object_set_new(row, name, json_null());
			if (json_is_number(json_object_get(l, "peak_gflops")))
				json_object_set(row, "peak", json_object_get(l, "peak_gflops"));
			if (json_is_number(json_object_get(l, "nominal_peak_gflops")))
				json_object_set(row, "nominal_peak", json_object_get(l, "nominal_peak_gflops"));
			json_object_set(row, "node", json_object_get(l, "node"));
			json_object_set(row, "threads", json_object_get(l, "threads"));
		}
	}
	return t;
}

static int in_list(json_t *arr, const char *name)
{
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v)
		if (json_is_string(v) && !strcmp(json_string_value(v), name))
			return 1;
	return 0;
}

/* Does the record keep its problem's technique rule? 1 yes, 0 no, -1 not judged (rejected
 * before the techniques were looked at: no code, a forbidden call). */
static int complies(json_t *rec, json_t *prompt)
{
	json_t *used = json_object_get(rec, "techniques"), *perm = json_object_get(prompt, "permitted"),
	       *req = json_object_get(prompt, "required"), *v;
	const char *status = json_string_value(json_object_get(rec, "status")),
		   *detail = json_string_value(json_object_get(rec, "detail"));
	int breaks = 0;
	size_t i;
	json_array_foreach(used, i, v)
		if (json_is_array(perm) && !in_list(perm, json_string_value(v)) && !in_list(req, json_string_value(v)))
			breaks = 1;
	json_array_foreach(req, i, v)
		if (!in_list(used, json_string_value(v)))
			breaks = 1;
	if (status && strcmp(status, "rejected") != 0)
		return !breaks; /* bench judged it compliant before building it */
	/* rejected: for the rule only when the detector ran and the rule is what it broke */
	if (breaks && detail && (strstr(detail, "permitted here") || strstr(detail, "required technique")))
		return 0;
	return -1;
}

static void count(json_t *o, const char *key)
{
	json_object_set_new(o, key, json_integer(json_integer_value(json_object_get(o, key)) + 1));
}

static void push(struct prob *p, double g, double eff, int ok)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 16;
		p->gflops = realloc(p->gflops, (size_t)p->cap * sizeof *p->gflops);
		p->eff_seq = realloc(p->eff_seq, (size_t)p->cap * sizeof *p->eff_seq);
		p->correct = realloc(p->correct, (size_t)p->cap * sizeof *p->correct);
		if (!p->gflops || !p->eff_seq || !p->correct)
			abort();
	}
	p->gflops[p->n] = g;
	p->eff_seq[p->n] = eff;
	p->correct[p->n] = ok;
	p->n++;
}

static json_t *num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static double base_of(json_t *row, const char *name)
{
	json_t *v = json_object_get(row, name);
	return json_is_number(v) && json_number_value(v) > 0 ? json_number_value(v) : NAN;
}

/* Shares of the statuses (unmeasured samples included), in the order of status.h. */
static json_t *status_shares(json_t *counts, int total)
{
	json_t *o = json_object();
	for (int s = 0; s < STATUS__COUNT; s++)
		json_object_set_new(o, status_name((status_t)s),
				    json_real(total ? (double)json_integer_value(json_object_get(counts, status_name((status_t)s))) / total : 0));
	json_object_set_new(o, "unmeasured",
			    json_real(total ? (double)json_integer_value(json_object_get(counts, "unmeasured")) / total : 0));
	return o;
}

static json_t *distribution(const double *g, const int *ok, int n)
{
	double *x = util_xcalloc((size_t)n + 1, sizeof *x);
	int m = 0;
	json_t *o;
	for (int i = 0; i < n; i++)
		if (ok[i])
			x[m++] = g[i];
	o = json_pack("{s:i, s:o, s:o, s:o, s:o, s:o}", "count", m, "min", num(metrics_quantile(x, m, 0)),
		      "p25", num(metrics_quantile(x, m, 0.25)), "median", num(metrics_quantile(x, m, 0.5)),
		      "p75", num(metrics_quantile(x, m, 0.75)), "max", num(metrics_quantile(x, m, 1)));
	free(x);
	return o;
}

/* pass@k, fast_p, speedup@k and efficiency@k of one problem into o. */
static void problem_metrics(const struct prob *p, json_t *row, json_t *ks, json_t *o)
{
	json_t *pass = json_object(), *fast = json_object(), *speed = json_object(),
	       *eff = json_object(), *k;
	double *sp = util_xcalloc((size_t)p->n + 1, sizeof *sp);
	double seq = base_of(row, EVAL_SEQUENTIAL);
	size_t i;
	char key[32];
	json_array_foreach(ks, i, k) {
		int kk = (int)json_integer_value(k);
		if (kk > p->n)
			continue;
		snprintf(key, sizeof key, "%d", kk);
		json_object_set_new(pass, key, num(metrics_pass_at_k(p->n, p->ok, kk)));
		if (isfinite(seq)) {
			for (int j = 0; j < p->n; j++)
				sp[j] = p->correct[j] ? p->gflops[j] / seq : 0;
			json_object_set_new(speed, key, num(metrics_expected_best(sp, p->n, kk)));
			for (int j = 0; j < p->n; j++)
				sp[j] = p->correct[j] ? p->eff_seq[j] / seq : 0;
			json_object_set_new(eff, key, num(metrics_expected_best(sp, p->n, kk)));
		}
	}
	for (size_t b = 0; b < NBASE; b++) {
		double base = base_of(row, baselines[b]);
		json_t *curve = json_object();
		if (!isfinite(base) || p->n == 0) {
			json_decref(curve);
			continue;
		}
		for (int j = 0; j < p->n; j++)
			sp[j] = p->correct[j] ? p->gflops[j] / base : 0;
		for (size_t f = 0; f < NFAST; f++) {
			snprintf(key, sizeof key, "%g", fast_ps[f]);
			json_object_set_new(curve, key, num(metrics_fast_p(sp, p->correct, p->n, fast_ps[f])));
		}
		json_object_set_new(fast, baselines[b], curve);
	}
	free(sp);
	json_object_set_new(o, "pass_at_k", pass);
	json_object_set_new(o, "fast_p", fast);
	json_object_set_new(o, "speedup_at_k", speed);
	json_object_set_new(o, "efficiency_at_k", eff);
}

/* The mean over problems of each leaf number of the per-problem objects at key (a problem
 * without a value, such as pass@k for k > its n, does not count). */
static json_t *mean_over(json_t *problems, const char *key)
{
	json_t *sum = json_object(), *cnt = json_object(), *p, *out = json_object();
	const char *pid, *k1, *k2;
	json_t *v1, *v2;
	json_object_foreach(problems, pid, p) {
		json_object_foreach(json_object_get(p, key), k1, v1) {
			if (json_is_object(v1)) {
				json_object_foreach(v1, k2, v2) {
					char *kk;
					if (!json_is_number(v2))
						continue;
					kk = util_xasprintf("%s\t%s", k1, k2);
					json_object_set_new(sum, kk, json_real(json_number_value(json_object_get(sum, kk)) + json_number_value(v2)));
					count(cnt, kk);
					free(kk);
				}
			} else if (json_is_number(v1)) {
				json_object_set_new(sum, k1, json_real(json_number_value(json_object_get(sum, k1)) + json_number_value(v1)));
				count(cnt, k1);
			}
		}
	}
	json_object_foreach(sum, k1, v1) {
		double m = json_number_value(v1) / (double)json_integer_value(json_object_get(cnt, k1));
		char *tab = strchr(k1, '\t');
		if (tab) {
			char *outer = util_xstrdup(k1);
			json_t *o;
			outer[tab - k1] = '\0';
			if (!(o = json_object_get(out, outer)))
				json_object_set_new(out, outer, o = json_object());
			json_object_set_new(o, tab + 1, json_real(m));
			free(outer);
		} else {
			json_object_set_new(out, k1, json_real(m));
		}
	}
	json_decref(sum);
	json_decref(cnt);
	return out;
}

static json_t *finish_problem(struct prob *p, json_t *row, json_t *ks, int total)
{
	json_t *o = json_object(), *shares = json_object();
	const char *t;
	json_t *v;
	double sum = 0, sum_ok = 0, peak = base_of(row, "peak");
	for (int i = 0; i < p->n; i++) {
		sum += p->gflops[i];
		sum_ok += p->correct[i] ? p->gflops[i] : 0;
	}
	json_object_set_new(o, "shape", json_string(p->shape ? p->shape : ""));
	json_object_set_new(o, "samples", json_integer(total));
	json_object_set_new(o, "measured", json_integer(p->n));
	json_object_set_new(o, "ok", json_integer(p->ok));
	json_object_set_new(o, "ok_share", json_real(p->n ? (double)p->ok / p->n : 0));
	json_object_set_new(o, "mean_gflops", json_real(p->n ? sum / p->n : 0));
	json_object_set_new(o, "mean_ok_gflops", json_real(p->ok ? sum_ok / p->ok : 0));
	json_object_set_new(o, "best_gflops", json_real(p->best ? json_number_value(json_object_get(p->best, "gflops")) : 0));
	if (p->best) {
		json_object_set(o, "best_sample", json_object_get(p->best, "sample_id"));
		if (json_object_get(p->best_line, "design"))
			json_object_set(o, "best_design", json_object_get(p->best_line, "design"));
		if (isfinite(peak))
			json_object_set_new(o, "best_peak_share", json_real(json_number_value(json_object_get(p->best, "gflops")) / peak));
	}
	json_object_set_new(o, "gflops", distribution(p->gflops, p->correct, p->n));
	json_object_set_new(o, "status", status_shares(p->status, total));
	json_object_set_new(o, "compliance", p->judged ? json_real((double)p->compliant / p->judged) : json_null());
	json_object_foreach(p->techs, t, v)
		json_object_set_new(shares, t, json_real(p->n ? (double)json_integer_value(v) / p->n : 0));
	json_object_set_new(o, "technique_use", shares);
	for (size_t b = 0; b < NBASE; b++)
		json_object_set_new(o, baselines[b], num(base_of(row, baselines[b])));
	json_object_set_new(o, "peak_gflops", num(peak));
	json_object_set_new(o, "nominal_peak_gflops", num(base_of(row, "nominal_peak")));
	json_object_set(o, "openblas_core", json_object_get(row, "openblas_core"));
	json_object_set(o, "blis_core", json_object_get(row, "blis_core"));
	if (isfinite(peak) && p->ok)
		json_object_set_new(o, "mean_ok_peak_share", json_real(sum_ok / p->ok / peak));
	problem_metrics(p, row, ks, o);
	/* the old name, for evaluations written before the baselines had their own table */
	json_object_set(o, "openblas_gflops", json_object_get(o, "openblas"));
	return o;
}

json_t *eval_summary(json_t *prompts, json_t *completions, json_t *results, json_t *baseline)
{
	json_t *table = baseline_table(baseline), *problems = json_object(), *ks = json_array(),
	       *line, *out, *all, *all_status = json_object(), *all_techs = json_object(), *nodes = json_array();
	struct prob *probs = NULL;
	int nprobs = 0, minn = 0, total_all = 0, judged = 0, compliant = 0;
	double *allg, *alleff;
	int *allok, alln = 0;
	size_t i;
	const char *key;

	/* each sample into its problem */
	json_array_foreach(completions, i, line) {
		char *sk = jsonl_id_key(json_object_get(line, "sample_id")),
		     *pk = jsonl_id_key(json_object_get(line, "problem_id"));
		json_t *rec = json_object_get(results, sk), *prompt = json_object_get(prompts, pk ? pk : "");
		const char *status = rec ? json_string_value(json_object_get(rec, "status")) : NULL;
		struct prob *p = NULL;
		int ok, c;
		for (int j = 0; j < nprobs; j++)
			if (!strcmp(probs[j].id, pk ? pk : ""))
				p = &probs[j];
		if (!p) {
			probs = realloc(probs, (size_t)(nprobs + 1) * sizeof *probs);
			if (!probs)
				abort();
			p = &probs[nprobs++];
			memset(p, 0, sizeof *p);
			p->id = util_xstrdup(pk ? pk : "");
			p->name = json_is_string(json_object_get(line, "problem_id"))
					  ? util_xstrdup(json_string_value(json_object_get(line, "problem_id")))
					  : util_xstrdup(pk ? pk : "");
			p->prompt = prompt;
			p->shape = json_string_value(json_object_get(prompt, "shape"));
			p->status = json_object();
			p->techs = json_object();
		}
		free(sk);
		free(pk);
		p->unmeasured += !rec;
		count(p->status, status ? status : "unmeasured");
		if (!rec)
			continue;
		ok = status && !strcmp(status, "ok") && json_is_number(json_object_get(rec, "gflops"));
		{
			double g = ok ? json_number_value(json_object_get(rec, "gflops")) : 0;
			json_int_t th = json_integer_value(json_object_get(rec, "threads"));
			size_t j;
			json_t *t;
			push(p, g, th > 0 ? g / (double)th : g, ok);
			p->ok += ok;
			if (ok && (!p->best || g > json_number_value(json_object_get(p->best, "gflops")))) {
				p->best = rec;
				p->best_line = line;
			}
			json_array_foreach(json_object_get(rec, "techniques"), j, t)
				if (json_is_string(t))
					count(p->techs, json_string_value(t));
		}
		if ((c = complies(rec, prompt)) >= 0) {
			p->judged++;
			p->compliant += c;
		}
	}
	/* k: 1, 2, 4, ... up to the fewest samples of a problem, and that number itself */
	for (int j = 0; j < nprobs; j++)
		if (probs[j].n > 0 && (minn == 0 || probs[j].n < minn))
			minn = probs[j].n;
	for (int k = 1; k <= minn; k *= 2)
		json_array_append_new(ks, json_integer(k));
	if (minn > 0 && (minn & (minn - 1)))
		json_array_append_new(ks, json_integer(minn));

	allg = util_xcalloc((size_t)json_array_size(completions) + 1, sizeof *allg);
	alleff = util_xcalloc((size_t)json_array_size(completions) + 1, sizeof *alleff);
	allok = util_xcalloc((size_t)json_array_size(completions) + 1, sizeof *allok);
	for (int j = 0; j < nprobs; j++) {
		struct prob *p = &probs[j];
		int total = p->n + p->unmeasured;
		json_t *row = json_object_get(table, p->shape ? p->shape : "");
		const char *k;
		json_t *v;
		json_object_set_new(problems, p->name, finish_problem(p, row, ks, total));
		total_all += total;
		judged += p->judged;
		compliant += p->compliant;
		json_object_foreach(p->status, k, v)
			json_object_set_new(all_status, k, json_integer(json_integer_value(json_object_get(all_status, k)) + json_integer_value(v)));
		json_object_foreach(p->techs, k, v)
			json_object_set_new(all_techs, k, json_integer(json_integer_value(json_object_get(all_techs, k)) + json_integer_value(v)));
		for (int s = 0; s < p->n; s++) {
			allg[alln] = p->gflops[s];
			alleff[alln] = p->eff_seq[s];
			allok[alln++] = p->correct[s];
		}
	}
	/* overall: counts pooled, the field's metrics the mean over problems */
	{
		int ok = 0;
		double sum = 0, sum_ok = 0, best = 0;
		json_t *shares = json_object(), *bestp = NULL;
		const char *k;
		json_t *v;
		for (int s = 0; s < alln; s++) {
			ok += allok[s];
			sum += allg[s];
			sum_ok += allok[s] ? allg[s] : 0;
		}
		json_object_foreach(problems, k, v)
			if (json_number_value(json_object_get(v, "best_gflops")) > best) {
				best = json_number_value(json_object_get(v, "best_gflops"));
				bestp = v;
			}
		all = json_object();
		json_object_set_new(all, "samples", json_integer(total_all));
		json_object_set_new(all, "measured", json_integer(alln));
		json_object_set_new(all, "ok", json_integer(ok));
		json_object_set_new(all, "ok_share", json_real(alln ? (double)ok / alln : 0));
		json_object_set_new(all, "mean_gflops", json_real(alln ? sum / alln : 0));
		json_object_set_new(all, "mean_ok_gflops", json_real(ok ? sum_ok / ok : 0));
		json_object_set_new(all, "best_gflops", json_real(best));
		if (bestp)
			json_object_set(all, "best_sample", json_object_get(bestp, "best_sample"));
		json_object_set_new(all, "gflops", distribution(allg, allok, alln));
		json_object_set_new(all, "status", status_shares(all_status, total_all));
		json_object_set_new(all, "compliance", judged ? json_real((double)compliant / judged) : json_null());
		json_object_foreach(all_techs, k, v)
			json_object_set_new(shares, k, json_real(alln ? (double)json_integer_value(v) / alln : 0));
		json_object_set_new(all, "technique_use", shares);
		json_object_set_new(all, "pass_at_k", mean_over(problems, "pass_at_k"));
		json_object_set_new(all, "fast_p", mean_over(problems, "fast_p"));
		json_object_set_new(all, "speedup_at_k", mean_over(problems, "speedup_at_k"));
		json_object_set_new(all, "efficiency_at_k", mean_over(problems, "efficiency_at_k"));
	}
	json_object_foreach(table, key, line) {
		json_t *n = json_object_get(line, "node");
		if (json_is_string(n) && !in_list(nodes, json_string_value(n)))
			json_array_append(nodes, n);
	}
	out = json_pack("{s:o, s:o, s:o, s:o, s:o, s:s}", "problems", problems, "all", all, "baselines",
			table, "ks", ks, "baseline_nodes", nodes, "sequential_baseline", EVAL_SEQUENTIAL);
	for (int j = 0; j < nprobs; j++) {
		free((char *)probs[j].id);
		free((char *)probs[j].name);
		free(probs[j].gflops);
		free(probs[j].eff_seq);
		free(probs[j].correct);
		json_decref(probs[j].status);
		json_decref(probs[j].techs);
	}
	free(probs);
	free(allg);
	free(alleff);
	free(allok);
	json_decref(all_status);
	json_decref(all_techs);
	return out;
}
