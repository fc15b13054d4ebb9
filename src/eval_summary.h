/* eval_summary.h - an evaluation's figures from its files: the metrics of the field per problem
 * and overall (pass@k, fast_p, speedup@k, efficiency@k), the GFLOPS distribution, technique
 * compliance, the status mix, and the baselines measured beside the samples. */
#ifndef PERFRL_EVAL_SUMMARY_H
#define PERFRL_EVAL_SUMMARY_H

#include <jansson.h>

/* The baselines a sample is compared with, in results.json's order. "library" is the best of
 * the BLAS libraries measured on the node (OpenBLAS on its best core, BLIS, MKL if present). */
#define EVAL_BASELINES {"naive", "ikj", "openblas", "blis", "library"}
/* The baseline of speedup@k and efficiency@k: the sequential code (ParEval's T*). */
#define EVAL_SEQUENTIAL "ikj"

/*
 * results.json's object from an evaluation's parts (all borrowed): prompts, problem_id key ->
 * prompt line (shape, permitted, required); completions, their lines in order; results, sample
 * key -> bench record (the first record wins); baseline, the lines of baseline.jsonl (NULL:
 * not measured yet). A new object: {"problems": {ID: {...}}, "all": {...}, "baselines":
 * {SHAPE: {...}}, "ks": [...], "nodes": [...]}; perfrl-eval(1) lists the fields.
 */
json_t *eval_summary(json_t *prompts, json_t *completions, json_t *results, json_t *baseline);

#endif
