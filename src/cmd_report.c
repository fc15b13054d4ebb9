/* cmd_report.c - `perfrl report`: a run (and its evaluations) as one offline HTML page with
 * PNG plots that gnuplot draws; RUN/report/index.html. */
#include "config.h"
#include "archive.h"
#include "commands.h"
#include "conf.h"
#include "iterlog.h"
#include "jsonl.h"
#include "metrics.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static const char report_usage[] =
	"usage: perfrl report -c CONF [--eval DIR]... [--out DIR] [--top N]\n"
	"\n"
	"Writes RUN/report/index.html: the run's reward and GFLOPS per iteration with the SQD\n"
	"stages shaded, the status mix, the archive's coverage and QD-score, the archive as a\n"
	"heatmap, where an iteration's time goes, the best kernels with their source, GFLOPS\n"
	"against the baselines and the peak, and the evaluations' pass@k and fast_p curves.\n"
	"PNG plots drawn by gnuplot sit beside the page; it refers to nothing else.\n"
	"\n"
	"  -c, --config CONF   the run's configuration\n"
	"  -e, --eval DIR      an evaluation of perfrl eval (repeatable): its curves and baselines\n"
	"  -o, --out DIR       where to write (default RUN/report)\n"
	"      --top N         best kernels shown (default 5)\n"
	"  -h, --help          this text\n";

/* A stage's shade and the statuses' colours: one palette for every plot. */
static const char *const stage_colours[] = {"#dddddd", "#cfe8ff", "#d8f5d0", "#ffe6c7", "#f2d7f7"};
static const char *const statuses[] = {"ok", "rejected", "compile_error", "timeout",
				       "runtime_error", "wrong_answer"};
static const char *const status_colours[] = {"#2ca02c", "#7f7f7f", "#d62728", "#ff7f0e",
					     "#9467bd", "#8c564b"};
#define NSTATUS (sizeof statuses / sizeof *statuses)

struct report {
	const char *out;
	FILE *gp;   /* plots.gp */
	FILE *html; /* index.html */
	struct iter_record *recs;
	size_t nrecs;
	json_t *iters; /* per iteration: {gflops: [...ok], time: {...}} */
	struct archive *arch;
	json_t *evals; /* [{dir, results}] */
	int top;
};

/* ---- small helpers ----------------------------------------------------------------------------- */

static FILE *open_out(const struct report *r, const char *name)
{
	char path[PATH_MAX + 64];
	FILE *f;
	snprintf(path, sizeof path, "%s/%s", r->out, name);
	if (!(f = fopen(path, "w")))
		util_error("cannot write %s: %s", path, strerror(errno));
	return f;
}

/* text for HTML: & < > " escaped */
static void html_text(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f);
		}
	}
}

/* a label for gnuplot inside single quotes (the terminal is noenhanced): no quotes */
static void gp_label(char *buf, size_t len, const char *s)
{
	size_t j = 0;
	for (; s && *s && j + 1 < len; s++)
		if (*s != '\'' && *s != '"' && *s != '\\')
			buf[j++] = *s;
	buf[j] = '\0';
}

/* ---- what the run directory holds --------------------------------------------------------------- */

/* RUN/iter-NNNN/timeline.tsv: the first stamp of each event. */
static json_t *timeline(const char *iter_dir)
{
	char path[PATH_MAX + 64], line[256];
	json_t *ev = json_object();
	FILE *f;
	snprintf(path, sizeof path, "%s/timeline.tsv", iter_dir);
	if (!(f = fopen(path, "r")))
		return ev;
	while (fgets(line, sizeof line, f)) {
		char *tab = strchr(line, '\t');
		if (!tab)
			continue;
		*tab = '\0';
		if (!json_object_get(ev, line))
			json_object_set_new(ev, line, json_real(strtod(tab + 1, NULL)));
	}
	fclose(f);
	return ev;
}

static double ev_at(json_t *ev, const char *name, double dflt)
{
	json_t *v = json_object_get(ev, name);
	return json_is_number(v) ? json_number_value(v) : dflt;
}

/* Per iteration: the ok samples' GFLOPS (sorted), the largest peak, and the time split. */
static void load_iterations(struct report *r, const char *run_dir, double *peak)
{
	r->iters = json_array();
	for (size_t i = 0; i < r->nrecs; i++) {
		char dir[PATH_MAX];
		json_t *res, *rec, *ev, *g = json_array(), *t;
		const char *k;
		double start, gen, bench, end;
		snprintf(dir, sizeof dir, "%s/iter-%04ld", run_dir, r->recs[i].iter);
		/* Every round's samples (gpu_step.rounds: each round's directory). */
		for (int kr = 1; kr <= r->recs[i].rounds; kr++) {
			char rd[PATH_MAX];
			if (iterlog_round_dir(rd, sizeof rd, dir, kr, r->recs[i].rounds) != 0)
				continue;
			res = jsonl_results(rd);
			json_object_foreach(res, k, rec) {
				if (!strcmp(json_string_value(json_object_get(rec, "status")) ?: "", "ok") &&
				    json_is_number(json_object_get(rec, "gflops")))
					json_array_append(g, json_object_get(rec, "gflops"));
				if (json_number_value(json_object_get(rec, "peak_gflops")) > *peak)
					*peak = json_number_value(json_object_get(rec, "peak_gflops"));
			}
			json_decref(res);
		}
		ev = timeline(dir);
		start = ev_at(ev, "job_start", NAN);
		gen = ev_at(ev, "generated", start);
		if (r->recs[i].rounds > 1) { /* the first round's generation: the rest overlap */
			char rd[PATH_MAX + 16];
			json_t *ev1;
			snprintf(rd, sizeof rd, "%s/round-01", dir);
			ev1 = timeline(rd);
			gen = ev_at(ev1, "generated", start);
			json_decref(ev1);
		}
		bench = ev_at(ev, "cpu_step_end", gen);
		end = ev_at(ev, "job_end", ev_at(ev, "gpu_step_end", bench));
		t = json_pack("{s:f, s:f, s:f, s:f, s:f}",
			      "scheduling", fmax(0, start - ev_at(ev, "submit", start)),
			      "generation", fmax(0, gen - start), "benchmarking", fmax(0, bench - gen),
			      "update", fmax(0, ev_at(ev, "gpu_step_end", bench) - fmax(gen, bench)),
			      "teardown", fmax(0, ev_at(ev, "recorded", end) - end));
		json_array_append_new(r->iters, json_pack("{s:o, s:o, s:b}", "gflops", g, "time", t,
							  "timed", isfinite(start)));
		json_decref(ev);
	}
}

/* ---- the plots ---------------------------------------------------------------------------------- */

static void gp_png(struct report *r, const char *name, int w, int h)
{
	fprintf(r->gp, "\nreset\nset terminal pngcairo size %d,%d font 'sans,10' noenhanced\n"
		"set output '%s'\nset grid lc rgb '#e0e0e0'\nset key outside right top\n", w, h, name);
}

/* A plot with nothing to draw yet (gnuplot refuses to autoscale no points): its frame and why. */
static void gp_nothing(struct report *r, const char *why)
{
	fprintf(r->gp, "set label 99 '%s' at graph 0.5, graph 0.5 center\nunset logscale\n"
		"plot [] [0:1] NaN notitle\nunset label 99\n", why);
}

/* The stages as shaded spans behind the next plot, with their number on top. */
static void gp_stages(struct report *r)
{
	size_t i = 0;
	int obj = 1;
	while (i < r->nrecs) {
		size_t j = i;
		int st = r->recs[i].stage;
		while (j + 1 < r->nrecs && r->recs[j + 1].stage == st)
			j++;
		fprintf(r->gp, "set object %d rect from %g, graph 0 to %g, graph 1 behind fc rgb '%s' "
			"fs solid 1.0 noborder\n", obj++, r->recs[i].iter - 0.5, r->recs[j].iter + 0.5,
			stage_colours[(st < 0 ? 0 : st) % 5]);
		fprintf(r->gp, "set label %d 'stage %d' at %g, graph 0.97 center font ',8'\n", obj++, st,
			(r->recs[i].iter + r->recs[j].iter) / 2.0);
		i = j + 1;
	}
}

static int plot_training(struct report *r)
{
	FILE *d = open_out(r, "iterations.dat");
	int any_gflops = 0, any_reward = 0, any_cov = 0, any_qd = 0;
	if (!d)
		return -1;
	fprintf(d, "# iter stage mean_reward gflops_mean gflops_median gflops_max coverage qd_score"
		" ok rejected compile_error timeout runtime_error wrong_answer"
		" scheduling generation benchmarking update teardown\n");
	for (size_t i = 0; i < r->nrecs; i++) {
		const struct iter_record *it = &r->recs[i];
		json_t *g = json_object_get(json_array_get(r->iters, i), "gflops"),
		       *t = json_object_get(json_array_get(r->iters, i), "time"), *v;
		size_t n = json_array_size(g), j;
		double *x = util_xcalloc(n + 1, sizeof *x), sum = 0;
		json_array_foreach(g, j, v)
			sum += x[j] = json_number_value(v);
		any_gflops |= n > 0;
		any_reward |= it->samples > 0;
		any_cov |= it->coverage >= 0;
		any_qd |= it->qd_score >= 0;
		fprintf(d, "%ld %d %s", it->iter, it->stage, it->samples ? "" : "NaN");
		if (it->samples)
			fprintf(d, "%g", it->mean_reward);
		if (n)
			fprintf(d, " %g %g %g", sum / (double)n, metrics_quantile(x, (int)n, 0.5),
				metrics_quantile(x, (int)n, 1));
		else
			fprintf(d, " NaN NaN NaN");
		fprintf(d, it->coverage >= 0 ? " %g" : " NaN", it->coverage);
		fprintf(d, it->qd_score >= 0 ? " %g" : " NaN", it->qd_score);
		fprintf(d, " %ld %ld %ld %ld %ld %ld", it->ok, it->rejected, it->compile_error,
			it->timeout, it->runtime_error, it->wrong_answer);
		fprintf(d, " %g %g %g %g %g\n", json_real_value(json_object_get(t, "scheduling")),
			json_real_value(json_object_get(t, "generation")),
			json_real_value(json_object_get(t, "benchmarking")),
			json_real_value(json_object_get(t, "update")),
			json_real_value(json_object_get(t, "teardown")));
		free(x);
	}
	fclose(d);

	/* reward and GFLOPS, the stages shaded */
	gp_png(r, "reward.png", 900, 600);
	fprintf(r->gp, "set multiplot layout 2,1\nset xrange [%g:%g]\nset xtics 1\n",
		r->recs[0].iter - 0.5, r->recs[r->nrecs - 1].iter + 0.5);
	gp_stages(r);
	fprintf(r->gp, "set title 'GFLOPS of the ok kernels per iteration'\nset ylabel 'GFLOPS'\n");
	if (any_gflops)
		fprintf(r->gp, "plot 'iterations.dat' using 1:6 with linespoints lw 2 lc rgb '#d62728' title 'max', "
			"'' using 1:5 with linespoints lw 2 lc rgb '#1f77b4' title 'median', "
			"'' using 1:4 with linespoints lw 2 lc rgb '#2ca02c' title 'mean'\n");
	else
		gp_nothing(r, "no kernel was correct yet");
	fprintf(r->gp, "set title 'Mean reward per iteration'\nset ylabel 'reward'\nset xlabel 'iteration'\n");
	if (any_reward)
		fprintf(r->gp, "plot 'iterations.dat' using 1:3 with linespoints lw 2 lc rgb '#9467bd' title 'mean reward'\n");
	else
		gp_nothing(r, "no sample was measured yet");
	fprintf(r->gp, "unset multiplot\n");

	/* the status mix */
	gp_png(r, "status.png", 900, 400);
	fprintf(r->gp, "set title 'Status of the samples per iteration'\nset style data histograms\n"
		"set style histogram rowstacked\nset style fill solid 0.9 border -1\nset boxwidth 0.8\n"
		"set ylabel 'samples'\nset xlabel 'iteration'\nplot ");
	for (size_t s = 0; s < NSTATUS; s++)
		fprintf(r->gp, "%s'iterations.dat' using %zu%s lc rgb '%s' title '%s'", s ? ", " : "",
			9 + s, s ? "" : ":xtic(1)", status_colours[s], statuses[s]);
	fputc('\n', r->gp);

	/* coverage and QD-score */
	gp_png(r, "archive.png", 900, 400);
	fprintf(r->gp, "set title 'Archive coverage and QD-score'\nset xlabel 'iteration'\nset xtics 1\n"
		"set ylabel 'coverage'\nset yrange [0:1.05]\nset y2label 'QD-score (sum of the elites GFLOPS)'\n"
		"set y2tics\nset ytics nomirror\nset xrange [%g:%g]\n",
		r->recs[0].iter - 0.5, r->recs[r->nrecs - 1].iter + 0.5);
	gp_stages(r);
	if (!any_qd)
		fprintf(r->gp, "set y2range [0:1]\n");
	if (any_cov || any_qd)
		fprintf(r->gp, "plot 'iterations.dat' using 1:7 with linespoints lw 2 lc rgb '#1f77b4' title 'coverage', "
			"'' using 1:8 axes x1y2 with linespoints lw 2 lc rgb '#ff7f0e' title 'QD-score'\n");
	else
		gp_nothing(r, "no archive yet (before the SQD stages)");

	/* where the time goes */
	gp_png(r, "time.png", 900, 400);
	fprintf(r->gp, "set title 'Time split of each iteration (seconds, from its timeline.tsv)'\n"
		"set style data histograms\nset style histogram rowstacked\nset style fill solid 0.9 border -1\n"
		"set boxwidth 0.8\nset ylabel 'seconds'\nset xlabel 'iteration'\n"
		"plot 'iterations.dat' using 15:xtic(1) title 'scheduling', '' using 16 title 'generation', "
		"'' using 17 title 'benchmarking', '' using 18 title 'GRPO update', '' using 19 title "
		"'teardown and recording'\n");
	return 0;
}

/* The archive: technique combination (rows) against shape (columns), best GFLOPS as colour. */
static int plot_heatmap(struct report *r)
{
	json_t *shapes, *combos, *v;
	size_t n = archive_count(r->arch), i, longest = 10;
	FILE *d;
	char lab[256];
	if (n == 0)
		return 0;
	shapes = json_array();
	combos = json_array();
	for (i = 0; i < n; i++) {
		const struct archive_cell *c = archive_cell(r->arch, i);
		int seen_s = 0, seen_c = 0;
		size_t j;
		json_array_foreach(shapes, j, v)
			seen_s |= !strcmp(json_string_value(v), c->shape);
		json_array_foreach(combos, j, v)
			seen_c |= !strcmp(json_string_value(v), c->techs);
		if (!seen_s)
			json_array_append_new(shapes, json_string(c->shape));
		if (!seen_c)
			json_array_append_new(combos, json_string(c->techs));
	}
	if (!(d = open_out(r, "archive.dat"))) {
		json_decref(shapes);
		json_decref(combos);
		return -1;
	}
	fprintf(d, "# shape_index combination_index best_gflops\n");
	for (i = 0; i < n; i++) {
		const struct archive_cell *c = archive_cell(r->arch, i);
		size_t j, xs = 0, ys = 0;
		json_array_foreach(shapes, j, v)
			if (!strcmp(json_string_value(v), c->shape))
				xs = j;
		json_array_foreach(combos, j, v)
			if (!strcmp(json_string_value(v), c->techs))
				ys = j;
		fprintf(d, "%zu %zu %g\n", xs, ys, c->gflops);
	}
	fclose(d);
	/* The left margin holds the longest combination (in characters), the plot keeps its width. */
	json_array_foreach(combos, i, v)
		if (strlen(json_string_value(v)) > longest)
			longest = strlen(json_string_value(v));
	gp_png(r, "heatmap.png", (int)(660 + 8 * (longest + 2)),
	       (int)(160 + 22 * json_array_size(combos)));
	fprintf(r->gp, "set title 'The archive: best GFLOPS per technique combination and shape (grey: no kernel)'\n"
		"set key off\nunset grid\nset object 1 rect from graph 0, graph 0 to graph 1, graph 1 behind "
		"fc rgb '#d9d9d9' fs solid 1.0 noborder\nset palette defined (0 '#fff5eb', 0.5 '#fd8d3c', 1 '#7f2704')\n"
		"set cblabel 'GFLOPS'\nset xrange [-0.5:%zu.5]\nset yrange [-0.5:%zu.5]\nset xtics (",
		json_array_size(shapes) - 1, json_array_size(combos) - 1);
	json_array_foreach(shapes, i, v) {
		gp_label(lab, sizeof lab, json_string_value(v));
		fprintf(r->gp, "%s'%s' %zu", i ? ", " : "", lab, i);
	}
	fprintf(r->gp, ")\nset ytics (");
	json_array_foreach(combos, i, v) {
		gp_label(lab, sizeof lab, json_string_value(v));
		fprintf(r->gp, "%s'%s' %zu", i ? ", " : "", lab, i);
	}
	fprintf(r->gp, ")\nset lmargin %zu\nplot 'archive.dat' using 1:2:(0.5):(0.5):3 with boxxyerror "
		"fs solid 1.0 fc palette, '' using 1:2:(sprintf('%%.1f', $3)) with labels font ',8'\n",
		longest + 2);
	json_decref(shapes);
	json_decref(combos);
	return 0;
}

/* GFLOPS per shape: the run's best, the evaluations' best, the baselines, and the peak. */
static int plot_baselines(struct report *r, const struct perfrl_config *cfg, double run_peak)
{
	FILE *d = open_out(r, "baselines.dat");
	char lab[128], openblas_title[96] = "OpenBLAS", blis_title[96] = "BLIS",
	     peak_title[64] = "peak";
	if (!d)
		return -1;
	int any = 0, col[9] = {0}, n = 0;
	struct { int col; const char *colour, *title; } series[] = {
		{4, "#bbbbbb", "naive i-j-k"}, {5, "#8c8c8c", "i-k-j -O3"},
		{2, "#2ca02c", "run: best (archive)"}, {3, "#1f77b4", "evaluation: best"},
		{6, "#ff7f0e", openblas_title}, {7, "#9467bd", blis_title}, {8, "#d62728", peak_title},
	};
	fprintf(d, "# shape run_best eval_best naive ikj openblas blis peak\n");
	for (int s = 0; s < cfg->bench.shapes.n; s++) {
		const char *shape = cfg->bench.shapes.v[s];
		double best = NAN, ebest = NAN, naive = NAN, ikj = NAN, blas = NAN, blis = NAN,
		       peak = run_peak > 0 ? run_peak : NAN;
		size_t i;
		json_t *e;
		for (size_t c = 0; c < archive_count(r->arch); c++) {
			const struct archive_cell *cell = archive_cell(r->arch, c);
			if (!strcmp(cell->shape, shape) && !(cell->gflops <= best))
				best = cell->gflops;
		}
		json_array_foreach(r->evals, i, e) {
			json_t *row = json_object_get(json_object_get(json_object_get(e, "results"), "baselines"), shape),
			       *p, *probs = json_object_get(json_object_get(e, "results"), "problems");
			const char *k;
#define TAKE(var, key) if (json_is_number(json_object_get(row, key))) var = json_number_value(json_object_get(row, key))
			TAKE(naive, "naive");
			TAKE(ikj, "ikj");
			TAKE(blas, "openblas");
			TAKE(blis, "blis");
			TAKE(peak, "peak");
#undef TAKE
			/* the legend names the kernels the libraries ran, and where the peak came from */
			if (json_is_string(json_object_get(row, "openblas_core")))
				snprintf(openblas_title, sizeof openblas_title, "OpenBLAS (%.40s core)",
					 json_string_value(json_object_get(row, "openblas_core")));
			if (json_is_string(json_object_get(row, "blis_core")))
				snprintf(blis_title, sizeof blis_title, "BLIS (%.40s)",
					 json_string_value(json_object_get(row, "blis_core")));
			if (json_is_number(json_object_get(row, "nominal_peak")))
				snprintf(peak_title, sizeof peak_title, "measured peak (nominal %.0f)",
					 json_number_value(json_object_get(row, "nominal_peak")));
			json_object_foreach(probs, k, p)
				if (!strcmp(json_string_value(json_object_get(p, "shape")) ?: "", shape) &&
				    !(json_number_value(json_object_get(p, "best_gflops")) <= ebest))
					ebest = json_number_value(json_object_get(p, "best_gflops"));
		}
		gp_label(lab, sizeof lab, shape);
		fprintf(d, "\"%s\" %g %g %g %g %g %g %g\n", lab, best, ebest, naive, ikj, blas, blis, peak);
		/* a histogram's series with no value at all is an error to gnuplot: left out */
		col[2] |= isfinite(best);
		col[3] |= isfinite(ebest);
		col[4] |= isfinite(naive);
		col[5] |= isfinite(ikj);
		col[6] |= isfinite(blas);
		col[7] |= isfinite(blis);
		col[8] |= isfinite(peak);
		any |= col[2] | col[3] | col[4] | col[5] | col[6] | col[7] | col[8];
	}
	fclose(d);
	gp_png(r, "baselines.png", 900, 450);
	fprintf(r->gp, "set title 'GFLOPS against the baselines (measured on the same node by perfrl eval) and the peak'\n"
		"set style data histograms\nset style histogram clustered gap 1\nset style fill solid 0.9 border -1\n"
		"set logscale y\nset ylabel 'GFLOPS (log scale)'\nset xlabel 'shape'\nset yrange [0.1:*]\n");
	if (!any) {
		fprintf(r->gp, "unset logscale y\n");
		gp_nothing(r, "nothing measured yet: no correct kernel, no evaluation");
		return 0;
	}
	for (size_t k = 0; k < sizeof series / sizeof *series; k++)
		if (col[series[k].col]) {
			fprintf(r->gp, "%s'baselines.dat' using %d%s lc rgb '%s' title '%s'", n ? ", " : "plot ",
				series[k].col, n ? "" : ":xtic(1)", series[k].colour, series[k].title);
			n++;
		}
	fputc('\n', r->gp);
	return 0;
}

/* pass@k and fast_p, one line per evaluation. */
static int plot_evals(struct report *r)
{
	size_t i;
	json_t *e;
	char name[64], lab[PATH_MAX];
	if (json_array_size(r->evals) == 0)
		return 0;
	json_array_foreach(r->evals, i, e) {
		json_t *all = json_object_get(json_object_get(e, "results"), "all"), *v;
		const char *k;
		FILE *d;
		snprintf(name, sizeof name, "eval-%zu.dat", i);
		if (!(d = open_out(r, name)))
			return -1;
		fprintf(d, "# k pass_at_k speedup_at_k\n");
		json_object_foreach(json_object_get(all, "pass_at_k"), k, v)
			fprintf(d, "%s %g %g\n", k, json_number_value(v),
				json_is_number(json_object_get(json_object_get(all, "speedup_at_k"), k))
					? json_number_value(json_object_get(json_object_get(all, "speedup_at_k"), k)) : NAN);
		fprintf(d, "\n\n# p fast_p(ikj) fast_p(openblas) fast_p(naive)\n");
		json_object_foreach(json_object_get(json_object_get(all, "fast_p"), "ikj"), k, v) {
			json_t *f = json_object_get(all, "fast_p");
			fprintf(d, "%s %g %g %g\n", k, json_number_value(v),
				json_is_number(json_object_get(json_object_get(f, "openblas"), k)) ? json_number_value(json_object_get(json_object_get(f, "openblas"), k)) : NAN,
				json_is_number(json_object_get(json_object_get(f, "naive"), k)) ? json_number_value(json_object_get(json_object_get(f, "naive"), k)) : NAN);
		}
		fclose(d);
	}
	for (int f = 0; f < 2; f++) {
		int n = 0;
		gp_png(r, f ? "fastp.png" : "passk.png", 900, 400);
		if (f)
			fprintf(r->gp, "set title 'fast_p: share of samples correct and faster than p x the baseline'\n"
				"set xlabel 'p'\nset ylabel 'fast_p'\nset yrange [0:1.05]\nset xrange [-0.1:2.1]\n");
		else
			fprintf(r->gp, "set title 'pass@k (unbiased estimator), mean over problems'\nset xlabel 'k'\n"
				"set ylabel 'pass@k'\nset yrange [0:1.05]\nset logscale x 2\n");
		json_array_foreach(r->evals, i, e) {
			json_t *all = json_object_get(json_object_get(e, "results"), "all");
			if (!json_object_size(f ? json_object_get(json_object_get(all, "fast_p"), "ikj")
						: json_object_get(all, "pass_at_k")))
				continue; /* nothing measured, or no baselines yet */
			gp_label(lab, sizeof lab, json_string_value(json_object_get(e, "name")));
			fprintf(r->gp, "%s'eval-%zu.dat' ", n++ ? ", " : "plot ", i);
			if (f)
				fprintf(r->gp, "index 1 using 1:2 with linespoints lw 2 title '%s vs i-k-j -O3', "
					"'' index 1 using 1:3 with linespoints dt 2 title '%s vs OpenBLAS'", lab, lab);
			else
				fprintf(r->gp, "index 0 using 1:2 with linespoints lw 2 title '%s'", lab);
		}
		if (n)
			fputc('\n', r->gp);
		else
			gp_nothing(r, "no evaluation has measured samples yet");
	}
	return 0;
}

/* gnuplot plots.gp in the report's directory; its messages into gnuplot.log. */
static int run_gnuplot(const struct report *r)
{
	char log[PATH_MAX + 32], cwd[PATH_MAX];
	char *argv[] = {"gnuplot", "plots.gp", NULL};
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int st, rc;
	snprintf(log, sizeof log, "%s/gnuplot.log", r->out);
	if (!getcwd(cwd, sizeof cwd))
		return util_error("cannot tell the current directory: %s", strerror(errno));
	if (chdir(r->out) != 0)
		return util_error("cannot enter %s: %s", r->out, strerror(errno));
	posix_spawn_file_actions_init(&fa);
	/* in r->out now: a relative r->out no longer leads there */
	posix_spawn_file_actions_addopen(&fa, 1, "gnuplot.log", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	rc = posix_spawnp(&pid, "gnuplot", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (chdir(cwd) != 0)
		return util_error("cannot return to %s: %s", cwd, strerror(errno));
	if (rc != 0)
		return util_error("cannot run gnuplot: %s (install Debian's gnuplot-nox; scripts/setup "
				  "does)", strerror(rc));
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		char *text = util_read_file(log, 4096, NULL);
		util_error("gnuplot failed on %s/plots.gp: %s", r->out, text ? text : "(no message)");
		free(text);
		return -1;
	}
	return 0;
}

/* ---- the page -------------------------------------------------------------------------------------- */

static void html_img(struct report *r, const char *file, const char *alt)
{
	fprintf(r->html, "<figure><img src=\"%s\" alt=\"", file);
	html_text(r->html, alt);
	fprintf(r->html, "\"></figure>\n");
}

static int cmp_cell_desc(const void *a, const void *b)
{
	const struct archive_cell *x = *(const struct archive_cell *const *)a,
				  *y = *(const struct archive_cell *const *)b;
	return (x->gflops < y->gflops) - (x->gflops > y->gflops);
}

/* The measurements of an elite: its record in the iteration that made it. */
static json_t *elite_record(const char *run_dir, const struct archive_cell *c)
{
	char dir[PATH_MAX + 32], *key;
	const char *sid = c->sample_id ? c->sample_id : "";
	json_t *res, *rec, *id;
	int round = 0, used = 0;
	/* A sample of an iteration of rounds is "round-RR/ID" (sqd.c): its round's directory. */
	if (sscanf(sid, "round-%d/%n", &round, &used) == 1 && used > 0) {
		snprintf(dir, sizeof dir, "%s/iter-%04ld/round-%02d", run_dir, c->improved_iter, round);
		sid += used;
	} else {
		snprintf(dir, sizeof dir, "%s/iter-%04ld", run_dir, c->improved_iter);
	}
	id = json_string(sid);
	res = jsonl_results(dir);
	key = jsonl_id_key(id);
	rec = json_incref(json_object_get(res, key));
	free(key);
	json_decref(id);
	json_decref(res);
	return rec;
}

static void html_best(struct report *r, const char *run_dir, double peak)
{
	size_t n = archive_count(r->arch);
	const struct archive_cell **cells = util_xcalloc(n + 1, sizeof *cells);
	for (size_t i = 0; i < n; i++)
		cells[i] = archive_cell(r->arch, i);
	qsort(cells, n, sizeof *cells, cmp_cell_desc);
	fprintf(r->html, "<h2 id=\"best\">The best kernels</h2>\n");
	if (n == 0)
		fprintf(r->html, "<p>The archive is empty: no kernel was correct yet.</p>\n");
	for (size_t i = 0; i < n && (int)i < r->top; i++) {
		const struct archive_cell *c = cells[i];
		json_t *rec = elite_record(run_dir, c);
		char name[256];
		archive_cell_name(c, name, sizeof name);
		fprintf(r->html, "<section class=\"kernel\"><h3>%zu. ", i + 1);
		html_text(r->html, name);
		fprintf(r->html, ": %.2f GFLOPS</h3>\n<table class=\"kv\">", c->gflops);
		fprintf(r->html, "<tr><th>shape</th><td>");
		html_text(r->html, c->shape);
		fprintf(r->html, "</td></tr><tr><th>techniques</th><td>");
		html_text(r->html, c->techs);
		fprintf(r->html, "</td></tr><tr><th>sample</th><td>");
		html_text(r->html, c->sample_id);
		fprintf(r->html, "</td></tr><tr><th>found / improved</th><td>iteration %ld / %ld "
			"(%ld ok kernels offered)</td></tr>", c->found_iter, c->improved_iter, c->offers);
		if (peak > 0)
			fprintf(r->html, "<tr><th>share of the peak</th><td>%.1f%% of %.1f GFLOPS</td></tr>",
				100 * c->gflops / peak, peak);
		if (rec) {
			fprintf(r->html, "<tr><th>CV of the timed calls</th><td>%.2f%%</td></tr>",
				100 * json_number_value(json_object_get(rec, "cv")));
			fprintf(r->html, "<tr><th>threads, node</th><td>%lld, ",
				(long long)json_integer_value(json_object_get(rec, "threads")));
			html_text(r->html, json_string_value(json_object_get(rec, "node")));
			fprintf(r->html, "</td></tr><tr><th>build</th><td>");
			html_text(r->html, json_string_value(json_object_get(json_object_get(rec, "build"), "compiler")));
			fputc(' ', r->html);
			html_text(r->html, json_string_value(json_object_get(json_object_get(rec, "build"), "flags")));
			fprintf(r->html, "</td></tr>");
		}
		fprintf(r->html, "</table>\n<details%s><summary>source</summary><pre>", i == 0 ? " open" : "");
		html_text(r->html, c->source);
		fprintf(r->html, "</pre></details></section>\n");
		json_decref(rec);
	}
	free(cells);
}

static void html_evals(struct report *r)
{
	size_t i;
	json_t *e;
	fprintf(r->html, "<h2 id=\"evals\">Evaluations</h2>\n");
	if (json_array_size(r->evals) == 0) {
		fprintf(r->html, "<p>None given: <code>perfrl eval -c CONF --out DIR</code>, then "
			"<code>perfrl report -c CONF --eval DIR</code>, adds pass@k and fast_p curves "
			"and the baselines.</p>\n");
		return;
	}
	html_img(r, "passk.png", "pass@k of each evaluation");
	html_img(r, "fastp.png", "fast_p of each evaluation");
	fprintf(r->html, "<table class=\"grid\"><tr><th>evaluation</th><th>samples</th><th>ok</th>"
		"<th>pass@1</th><th>fast_1 (i-k-j)</th><th>fast_1 (OpenBLAS)</th><th>fast_1 (best library)</th><th>speedup@1</th>"
		"<th>efficiency@1</th><th>best GFLOPS</th><th>compliance</th></tr>\n");
	json_array_foreach(r->evals, i, e) {
		json_t *a = json_object_get(json_object_get(e, "results"), "all"), *f = json_object_get(a, "fast_p");
		fprintf(r->html, "<tr><td>");
		html_text(r->html, json_string_value(json_object_get(e, "name")));
		fprintf(r->html, "</td><td>%lld</td><td>%.1f%%</td><td>%.3f</td><td>%.3f</td><td>%.3f</td><td>%.3f</td>"
			"<td>%.2f</td><td>%.3f</td><td>%.2f</td><td>%.1f%%</td></tr>\n",
			(long long)json_integer_value(json_object_get(a, "samples")),
			100 * json_number_value(json_object_get(a, "ok_share")),
			json_number_value(json_object_get(json_object_get(a, "pass_at_k"), "1")),
			json_number_value(json_object_get(json_object_get(f, "ikj"), "1")),
			json_number_value(json_object_get(json_object_get(f, "openblas"), "1")),
			json_number_value(json_object_get(json_object_get(f, "library"), "1")),
			json_number_value(json_object_get(json_object_get(a, "speedup_at_k"), "1")),
			json_number_value(json_object_get(json_object_get(a, "efficiency_at_k"), "1")),
			json_number_value(json_object_get(a, "best_gflops")),
			100 * json_number_value(json_object_get(a, "compliance")));
	}
	fprintf(r->html, "</table>\n");
}

static int write_html(struct report *r, const char *run_dir, const char *conf, double peak)
{
	char when[64];
	time_t now = time(NULL);
	const struct iter_record *last = &r->recs[r->nrecs - 1];
	if (!(r->html = open_out(r, "index.html.tmp")))
		return -1;
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", localtime(&now));
	fprintf(r->html, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
		"<title>perfrl report: ");
	html_text(r->html, run_dir);
	fprintf(r->html, "</title>\n<style>\nbody{font-family:sans-serif;max-width:960px;margin:2em auto;"
		"color:#222}\nfigure{margin:1em 0}img{max-width:100%%;border:1px solid #ddd}\n"
		"table{border-collapse:collapse;margin:1em 0}th,td{padding:2px 8px;text-align:left;"
		"border-bottom:1px solid #eee}\ntable.grid td{text-align:right}\npre{background:#f7f7f7;"
		"padding:8px;overflow-x:auto;font-size:85%%}\nsection.kernel{border-top:1px solid #ccc}\n"
		"</style></head><body>\n<h1>perfrl report</h1>\n<table class=\"kv\"><tr><th>run</th><td>");
	html_text(r->html, run_dir);
	fprintf(r->html, "</td></tr><tr><th>configuration</th><td>");
	html_text(r->html, conf);
	fprintf(r->html, "</td></tr><tr><th>iterations</th><td>%zu (last: %ld, %s, stage %d)</td></tr>"
		"<tr><th>written</th><td>%s by perfrl %s</td></tr></table>\n", r->nrecs, last->iter,
		iterlog_state_name(last->state), last->stage, when, PACKAGE_VERSION);
	fprintf(r->html, "<p><a href=\"#training\">training</a> &middot; <a href=\"#archive\">archive</a>"
		" &middot; <a href=\"#best\">best kernels</a> &middot; <a href=\"#baselines\">baselines</a>"
		" &middot; <a href=\"#evals\">evaluations</a></p>\n");
	fprintf(r->html, "<h2 id=\"training\">Training</h2>\n");
	html_img(r, "reward.png", "reward and GFLOPS per iteration, SQD stages shaded");
	html_img(r, "status.png", "status mix per iteration");
	html_img(r, "time.png", "time split of each iteration");
	fprintf(r->html, "<h2 id=\"archive\">The quality-diversity archive</h2>\n");
	html_img(r, "archive.png", "archive coverage and QD-score per iteration");
	if (archive_count(r->arch))
		html_img(r, "heatmap.png", "the archive: technique combination against shape, best GFLOPS");
	html_best(r, run_dir, peak);
	fprintf(r->html, "<h2 id=\"baselines\">Against the baselines and the peak</h2>\n");
	if (json_array_size(r->evals) == 0)
		fprintf(r->html, "<p>The baselines are measured by <code>perfrl eval</code>: give one "
			"with <code>--eval DIR</code>. Shown: the run's best and the node's peak.</p>\n");
	html_img(r, "baselines.png", "GFLOPS against the baselines and the peak");
	html_evals(r);
	fprintf(r->html, "<p><small>Data: <code>iterations.dat</code>, <code>archive.dat</code>, "
		"<code>baselines.dat</code>; plots drawn by gnuplot from <code>plots.gp</code>.</small></p>\n"
		"</body></html>\n");
	if (fclose(r->html) != 0)
		return util_error("cannot write %s/index.html: %s", r->out, strerror(errno));
	{
		char a[PATH_MAX + 32], b[PATH_MAX + 32];
		snprintf(a, sizeof a, "%s/index.html.tmp", r->out);
		snprintf(b, sizeof b, "%s/index.html", r->out);
		if (rename(a, b) != 0)
			return util_error("cannot write %s: %s", b, strerror(errno));
	}
	return 0;
}

int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"eval", required_argument, NULL, 'e'},
		{"out", required_argument, NULL, 'o'},
		{"top", required_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *conf = NULL, *outarg = NULL;
	struct perfrl_config cfg;
	struct report r = {.top = 5};
	char err[PATH_MAX + 256], out[PATH_MAX + 32], state[PATH_MAX + 32];
	double peak = 0;
	int c, rc = 1;

	r.evals = json_array();
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:e:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			conf = optarg;
			break;
		case 'e': {
			char path[PATH_MAX + 32];
			json_error_t je;
			json_t *res;
			snprintf(path, sizeof path, "%s/results.json", optarg);
			if (!(res = json_load_file(path, 0, &je)) || !json_is_object(json_object_get(res, "problems"))) {
				fprintf(stderr, "perfrl report: --eval %s: %s\n", optarg,
					res ? "a results.json of an older perfrl eval (run it again)" : je.text);
				json_decref(res);
				json_decref(r.evals);
				return 2;
			}
			json_array_append_new(r.evals, json_pack("{s:s, s:o}", "name", optarg, "results", res));
			break;
		}
		case 'o':
			outarg = optarg;
			break;
		case 't': {
			long v;
			if (util_parse_long(optarg, 0, 1000, &v) != 0) {
				fprintf(stderr, "perfrl report: bad --top '%s'\n", optarg);
				json_decref(r.evals);
				return 2;
			}
			r.top = (int)v;
			break;
		}
		case 'h':
			fputs(report_usage, stdout);
			json_decref(r.evals);
			return 0;
		default:
			fputs(report_usage, stderr);
			json_decref(r.evals);
			return 2;
		}
	}
	if (!conf || optind < argc) {
		fputs(report_usage, stderr);
		json_decref(r.evals);
		return 2;
	}
	if (config_load(conf, &cfg, err, sizeof err) != 0) {
		util_error("%s", err);
		json_decref(r.evals);
		return 2;
	}
	if (iterlog_load(cfg.run_dir, &r.recs, &r.nrecs, err, sizeof err) != 0) {
		util_error("%s", err);
		goto done;
	}
	if (r.nrecs == 0) {
		util_error("no iterations recorded in %s/state/iterations.jsonl: nothing to report",
			   cfg.run_dir);
		goto done;
	}
	snprintf(state, sizeof state, "%s/state", cfg.run_dir);
	if (archive_load(state, &r.arch, err, sizeof err) != 0) {
		util_error("%s", err);
		goto done;
	}
	snprintf(out, sizeof out, "%s", outarg ? outarg : "");
	if (!outarg)
		snprintf(out, sizeof out, "%s/report", cfg.run_dir);
	r.out = out;
	if (util_mkdirs(out, 0755) != 0) {
		util_error("cannot create %s: %s", out, strerror(errno));
		goto done;
	}
	load_iterations(&r, cfg.run_dir, &peak);
	if (!(r.gp = open_out(&r, "plots.gp")))
		goto done;
	fprintf(r.gp, "# plots.gp - written by perfrl report; gnuplot plots.gp redraws the PNGs\n");
	if (plot_training(&r) != 0 || plot_heatmap(&r) != 0 || plot_baselines(&r, &cfg, peak) != 0 ||
	    plot_evals(&r) != 0) {
		fclose(r.gp);
		goto done;
	}
	if (fclose(r.gp) != 0) {
		util_error("cannot write %s/plots.gp: %s", out, strerror(errno));
		goto done;
	}
	if (run_gnuplot(&r) != 0 || write_html(&r, cfg.run_dir, conf, peak) != 0)
		goto done;
	printf("%s/index.html\n", out);
	rc = 0;
done:
	iterlog_free(r.recs);
	archive_free(r.arch);
	json_decref(r.iters);
	json_decref(r.evals);
	config_free(&cfg);
	return rc;
}
