/* grpo.h - the built-in policy: a categorical distribution per factor of the kernel design
 * space (kernel_space.h), masked by the techniques a problem permits, trained with GRPO. */
#ifndef PERFRL_GRPO_H
#define PERFRL_GRPO_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include "kernel_space.h"

#define GRPO_MAX_CHOICES 8

/*
 * A softmax of its logits per factor over the allowed choices, with a table of logits per
 * kernel family: logit[0] for the loop nest itself and the factors of the plain loops,
 * logit[1] for the factors of a GotoBLAS micro-kernel (nest=micro), since what pays differs:
 * AVX2 intrinsics double a micro-kernel but lose to -O3's own vectorisation of i-k-j. The
 * nest is two-level: logit[0][KS_NEST][KS_NEST_MICRO] is the micro family's against the plain
 * loops' (0), the others rank the plain orders.
 */
#define GRPO_FAMILIES 2
struct grpo_policy {
	double logit[GRPO_FAMILIES][KS__COUNT][GRPO_MAX_CHOICES];
	long step; /* updates applied */
};

/* The uniform policy (all logits 0): the most entropy. */
void grpo_policy_init(struct grpo_policy *p);
/* The initial policy of a run, and the reference of its KL term: uniform but for a logit of
 * plain_bias on each factor's technique-free choice (nest=ijk, none, off, unroll=1): with
 * plain_bias > 0 it writes plain code more often than not, as an untrained code model does;
 * 0 is the uniform policy. */
void grpo_policy_init_prior(struct grpo_policy *p, double plain_bias);

/*
 * Sample a design factor by factor; each factor's choices are masked by ks_allowed for the
 * techniques permitted and required, so a non-compliant design is never drawn (rather than
 * drawn and punished). *rng is a splitmix64 state. logp[f]: the log-probability of factor f's
 * choice given the ones before (the "tokens" of the design); their sum is the design's.
 */
void grpo_policy_sample(const struct grpo_policy *p, techset_t permitted, techset_t required,
		       uint64_t *rng, struct ks_design *d, double logp[KS__COUNT]);
/* The per-factor log-probabilities of d under the same masks, and their sum (-INFINITY when a
 * choice is masked). logp may be NULL. */
double grpo_policy_logp(const struct grpo_policy *p, const struct ks_design *d, techset_t permitted,
		       techset_t required, double logp[KS__COUNT]);

/* d log pi(d) / d logit[t][f][k] under the same masks (0 for a masked design). */
void grpo_policy_grad_logp(const struct grpo_policy *p, const struct ks_design *d, techset_t permitted,
			  techset_t required,
			  double grad[GRPO_FAMILIES][KS__COUNT][GRPO_MAX_CHOICES]);

struct grpo_sample {
	struct ks_design d;
	techset_t permitted, required;
	double logp_old[KS__COUNT]; /* per factor, under the policy that sampled it */
	double reward;
	int group;        /* samples of one prompt share a group */
};

struct grpo_opts {
	double lr;        /* step size of the gradient ascent */
	double clip;      /* epsilon of the clipped ratio */
	double kl_beta;   /* weight of KL(policy || reference) */
	int epochs;       /* passes over the samples */
};

struct grpo_stats {
	double mean_reward, kl, clip_fraction, entropy;
	int samples, groups_with_signal; /* groups whose rewards differ: the others teach nothing */
};

/*
 * One GRPO update of p from n samples: group-normalised advantages (r - mean) / std within
 * each group; the clipped ratio objective per factor, as GRPO clips per token (a ratio of the
 * whole design, a product of nine, would let each factor move only a ninth as far); an exact
 * KL(p || ref) penalty per factor under each sample's masks; plain gradient ascent, epochs
 * passes.
 */
void grpo_update(struct grpo_policy *p, const struct grpo_policy *ref, const struct grpo_sample *s,
		 size_t n, const struct grpo_opts *o, struct grpo_stats *st);

/* Checkpoints: {"version": 2, "step", "factors": {name: {choice: logit, ...}},
 * "micro_factors": {the same for the factors after the nest}} (version 1 had no nest=micro:
 * its factor was "order"). */
json_t *grpo_policy_json(const struct grpo_policy *p);
int grpo_policy_from_json(json_t *j, struct grpo_policy *p, char *err, size_t errlen);

/* splitmix64: the next 64 random bits, and a uniform double in [0, 1). */
uint64_t grpo_rand(uint64_t *state);
double grpo_uniform(uint64_t *state);

#endif
