/* test_eval_summary.c - an evaluation's figures from made-up records, against values worked out
 * by hand: pass@k, speedup@k, efficiency@k and fast_p per baseline, the status mix (an
 * unmeasured sample included), compliance (a sample rejected for the rule, one rejected before
 * the detector ran), the GFLOPS distribution, the baselines table. */
#include "config.h"
#include "../lib/check.h"
#include "eval_summary.h"
#include "jsonl.h"

#include <jansson.h>
#include <math.h>

#define NEAR(a, b) (fabs((a) - (double)(b)) <= 1e-12 * (1 + fabs((double)(b))))

static double num(json_t *root, const char *a, const char *b, const char *c, const char *d)
{
	json_t *v = json_object_get(root, a);
	if (b)
		v = json_object_get(v, b);
	if (c)
		v = json_object_get(v, c);
	if (d)
		v = json_object_get(v, d);
	return json_is_number(v) ? json_number_value(v) : NAN;
}

static void add(json_t *by, const char *text)
{
	json_t *o = json_loads(text, 0, NULL);
	char *k = jsonl_id_key(json_object_get(o, "sample_id") ? json_object_get(o, "sample_id")
							    : json_object_get(o, "problem_id"));
	json_object_set_new(by, k, o);
	free(k);
}

int main(void)
{
	json_t *prompts = json_object(), *results = json_object(), *compl = json_array(),
	       *base = json_array(), *r, *pa, *pb, *all;
	static const char *const samples[] = {"a0", "a", "a1", "a", "a2", "a", "a3", "a",
					      "b0", "b", "b1", "b", "b2", "b", "b3", "b"};

	add(prompts, "{\"problem_id\": \"a\", \"shape\": \"10x10x10\"}");
	add(prompts, "{\"problem_id\": \"b\", \"shape\": \"20x20x20\", \"permitted\": [\"simd\"], "
		     "\"required\": [\"simd\"]}");
	for (int i = 0; i < 16; i += 2)
		json_array_append_new(compl, json_pack("{s:s, s:s, s:s}", "sample_id", samples[i],
						       "problem_id", samples[i + 1], "completion", "..."));
	/* a: 2 and 6 GFLOPS ok, a wrong answer, a compile error; 2 threads each */
	add(results, "{\"sample_id\": \"a0\", \"status\": \"ok\", \"gflops\": 2.0, \"threads\": 2, \"techniques\": []}");
	add(results, "{\"sample_id\": \"a1\", \"status\": \"ok\", \"gflops\": 6.0, \"threads\": 2, \"techniques\": [\"openmp\"]}");
	add(results, "{\"sample_id\": \"a2\", \"status\": \"wrong_answer\", \"gflops\": null, \"threads\": 2, \"techniques\": []}");
	add(results, "{\"sample_id\": \"a3\", \"status\": \"compile_error\", \"gflops\": null, \"techniques\": []}");
	/* b: one ok, one rejected for the rule, one rejected before the detector ran, one unmeasured */
	add(results, "{\"sample_id\": \"b0\", \"status\": \"ok\", \"gflops\": 3.0, \"threads\": 1, \"techniques\": [\"simd\"]}");
	add(results, "{\"sample_id\": \"b1\", \"status\": \"rejected\", \"gflops\": null, \"techniques\": [\"openmp\", \"simd\"], "
		     "\"detail\": \"uses openmp, which is not permitted here (permitted: simd)\"}");
	add(results, "{\"sample_id\": \"b2\", \"status\": \"rejected\", \"gflops\": null, \"techniques\": [], "
		     "\"detail\": \"no C code found in the completion\"}");
	/* the baselines as the evaluation's job writes them */
	json_array_append_new(base, json_loads("{\"file\": \"/x/templates/baselines/naive.c\", \"status\": \"ok\", \"node\": \"n1\", \"threads\": 2, "
					       "\"peak_gflops\": 16.0, \"shapes\": [{\"shape\": \"10x10x10\", \"gflops\": 1.0}]}", 0, NULL));
	json_array_append_new(base, json_loads("{\"file\": \"/x/templates/baselines/ikj.c\", \"status\": \"ok\", \"node\": \"n1\", \"threads\": 2, "
					       "\"peak_gflops\": 16.0, \"shapes\": [{\"shape\": \"10x10x10\", \"gflops\": 4.0}]}", 0, NULL));
	json_array_append_new(base, json_loads("{\"kernel\": \"openblas\", \"shape\": \"10x10x10\", \"gflops\": 8.0, \"node\": \"n1\"}", 0, NULL));
	json_array_append_new(base, json_loads("{\"file\": \"/x/templates/baselines/naive.c\", \"status\": \"ok\", \"node\": \"n1\", \"threads\": 2, "
					       "\"peak_gflops\": 16.0, \"shapes\": [{\"shape\": \"20x20x20\", \"gflops\": 1.0}]}", 0, NULL));
	json_array_append_new(base, json_loads("{\"file\": \"/x/templates/baselines/ikj.c\", \"status\": \"ok\", \"node\": \"n1\", \"threads\": 2, "
					       "\"peak_gflops\": 16.0, \"shapes\": [{\"shape\": \"20x20x20\", \"gflops\": 2.0}]}", 0, NULL));
	json_array_append_new(base, json_loads("{\"kernel\": \"openblas\", \"shape\": \"20x20x20\", \"gflops\": 10.0, \"node\": \"n1\"}", 0, NULL));

	r = eval_summary(prompts, compl, results, base);
	pa = json_object_get(json_object_get(r, "problems"), "a");
	pb = json_object_get(json_object_get(r, "problems"), "b");
	all = json_object_get(r, "all");
	CHECK(pa && pb && all);

	/* the baselines table */
	CHECK(NEAR(num(r, "baselines", "10x10x10", "naive", NULL), 1));
	CHECK(NEAR(num(r, "baselines", "10x10x10", "ikj", NULL), 4));
	CHECK(NEAR(num(r, "baselines", "10x10x10", "openblas", NULL), 8));
	CHECK(NEAR(num(r, "baselines", "20x20x20", "peak", NULL), 16));
	CHECK(json_array_size(json_object_get(r, "baseline_nodes")) == 1);
	CHECK_STR(json_string_value(json_array_get(json_object_get(r, "baseline_nodes"), 0)), "n1");
	CHECK(NEAR(num(pa, "ikj", NULL, NULL, NULL), 4) && NEAR(num(pb, "openblas", NULL, NULL, NULL), 10));

	/* k: 1, 2, and 3, the fewest measured samples of a problem (b: 3 of 4) */
	CHECK(json_array_size(json_object_get(r, "ks")) == 3);
	CHECK(json_integer_value(json_array_get(json_object_get(r, "ks"), 2)) == 3);

	/* a: n 4, c 2 */
	CHECK(NEAR(num(pa, "pass_at_k", "1", NULL, NULL), 0.5));
	CHECK(NEAR(num(pa, "pass_at_k", "2", NULL, NULL), 5.0 / 6));
	CHECK(NEAR(num(pa, "pass_at_k", "3", NULL, NULL), 1));
	/* speedups over ikj (4 GFLOPS): 0.5, 1.5, 0, 0 */
	CHECK(NEAR(num(pa, "speedup_at_k", "1", NULL, NULL), 0.5));
	CHECK(NEAR(num(pa, "speedup_at_k", "2", NULL, NULL), 5.5 / 6)); /* the 6 pairs' maxima */
	CHECK(NEAR(num(pa, "speedup_at_k", "3", NULL, NULL), (1.5 * 3 + 0.5) / 4)); /* 4 triples */
	CHECK(NEAR(num(pa, "efficiency_at_k", "1", NULL, NULL), 0.25)); /* 2 threads */
	/* fast_p: correct and speedup > p, strictly */
	CHECK(NEAR(num(pa, "fast_p", "ikj", "0", NULL), 0.5));
	CHECK(NEAR(num(pa, "fast_p", "ikj", "0.5", NULL), 0.25)); /* 0.5 is not > 0.5 */
	CHECK(NEAR(num(pa, "fast_p", "ikj", "1", NULL), 0.25));
	CHECK(NEAR(num(pa, "fast_p", "ikj", "1.5", NULL), 0));
	CHECK(NEAR(num(pa, "fast_p", "naive", "2", NULL), 0.25)); /* 6x yes, 2x no */
	CHECK(NEAR(num(pa, "fast_p", "openblas", "0.5", NULL), 0.25));
	CHECK(NEAR(num(pa, "gflops", "median", NULL, NULL), 4) && NEAR(num(pa, "gflops", "max", NULL, NULL), 6));
	CHECK(json_integer_value(json_object_get(json_object_get(pa, "gflops"), "count")) == 2);
	CHECK(NEAR(num(pa, "status", "ok", NULL, NULL), 0.5));
	CHECK(NEAR(num(pa, "status", "wrong_answer", NULL, NULL), 0.25));
	CHECK(NEAR(num(pa, "status", "compile_error", NULL, NULL), 0.25));
	CHECK(NEAR(num(pa, "compliance", NULL, NULL, NULL), 1));
	CHECK(NEAR(num(pa, "best_gflops", NULL, NULL, NULL), 6));
	CHECK(NEAR(num(pa, "best_peak_share", NULL, NULL, NULL), 6.0 / 16));
	CHECK_STR(json_string_value(json_object_get(pa, "best_sample")), "a1");
	CHECK(NEAR(num(pa, "mean_gflops", NULL, NULL, NULL), 2)); /* (2 + 6 + 0 + 0) / 4 */
	CHECK(NEAR(num(pa, "mean_ok_gflops", NULL, NULL, NULL), 4));

	/* b: 4 samples, 3 measured, 1 correct */
	CHECK(json_integer_value(json_object_get(pb, "samples")) == 4);
	CHECK(json_integer_value(json_object_get(pb, "measured")) == 3);
	CHECK(NEAR(num(pb, "pass_at_k", "1", NULL, NULL), 1.0 / 3));
	CHECK(NEAR(num(pb, "pass_at_k", "3", NULL, NULL), 1));
	CHECK(NEAR(num(pb, "speedup_at_k", "1", NULL, NULL), 1.5 / 3)); /* 3/2 over ikj, then 0, 0 */
	CHECK(NEAR(num(pb, "efficiency_at_k", "1", NULL, NULL), 1.5 / 3)); /* 1 thread */
	CHECK(NEAR(num(pb, "status", "unmeasured", NULL, NULL), 0.25));
	CHECK(NEAR(num(pb, "status", "rejected", NULL, NULL), 0.5));
	/* the openmp sample breaks the rule; the sample without code is not judged */
	CHECK(NEAR(num(pb, "compliance", NULL, NULL, NULL), 0.5));
	CHECK(NEAR(num(pb, "technique_use", "simd", NULL, NULL), 2.0 / 3));
	CHECK(NEAR(num(pb, "technique_use", "openmp", NULL, NULL), 1.0 / 3));

	/* overall: counts pooled, the metrics the mean over problems */
	CHECK(json_integer_value(json_object_get(all, "samples")) == 8);
	CHECK(json_integer_value(json_object_get(all, "measured")) == 7);
	CHECK(json_integer_value(json_object_get(all, "ok")) == 3);
	CHECK(NEAR(num(all, "pass_at_k", "1", NULL, NULL), (0.5 + 1.0 / 3) / 2));
	CHECK(NEAR(num(all, "pass_at_k", "2", NULL, NULL), (5.0 / 6 + 2.0 / 3) / 2));
	CHECK(NEAR(num(all, "fast_p", "ikj", "0", NULL), (0.5 + 1.0 / 3) / 2));
	CHECK(NEAR(num(all, "speedup_at_k", "1", NULL, NULL), (0.5 + 0.5) / 2));
	CHECK(NEAR(num(all, "compliance", NULL, NULL, NULL), 5.0 / 6));
	CHECK(NEAR(num(all, "status", "ok", NULL, NULL), 3.0 / 8));
	CHECK(NEAR(num(all, "status", "unmeasured", NULL, NULL), 1.0 / 8));
	CHECK(NEAR(num(all, "gflops", "max", NULL, NULL), 6));
	CHECK(NEAR(num(all, "best_gflops", NULL, NULL, NULL), 6));

	/* no baselines yet (an interrupted job): the figures that need none are there */
	json_decref(r);
	r = eval_summary(prompts, compl, results, NULL);
	CHECK(NEAR(num(r, "all", "pass_at_k", "1", NULL), (0.5 + 1.0 / 3) / 2));
	CHECK(json_object_size(json_object_get(json_object_get(json_object_get(r, "problems"), "a"), "fast_p")) == 0);
	CHECK(json_object_size(json_object_get(json_object_get(json_object_get(r, "problems"), "a"), "speedup_at_k")) == 0);

	json_decref(r);
	json_decref(prompts);
	json_decref(results);
	json_decref(compl);
	json_decref(base);
	return CHECK_DONE();
}
