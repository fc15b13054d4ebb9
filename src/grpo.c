/* grpo.c - a masked categorical policy over the kernel design space, and its GRPO update. */
#include "config.h"
#include "grpo.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint64_t grpo_rand(uint64_t *state)
{
	return util_splitmix64(state);
}

double grpo_uniform(uint64_t *state)
{
	return (double)(grpo_rand(state) >> 11) * 0x1.0p-53;
}

void grpo_policy_init(struct grpo_policy *p)
{
	memset(p, 0, sizeof *p);
}

void grpo_policy_init_prior(struct grpo_policy *p, double plain_bias)
{
	grpo_policy_init(p);
	for (int t = 0; t < GRPO_FAMILIES; t++)
		for (int f = t ? KS_NEST + 1 : 0; f < KS__COUNT; f++)
			p->logit[t][f][0] = plain_bias;
	/* the nest's micro logit is its family's against the plain loops' */
	p->logit[0][KS_NEST][KS_NEST_MICRO] = 0 - plain_bias; /* never -0.0 */
}

/* The table of logits factor f draws on, given the design so far: the micro family's after
 * nest=micro, else the plain loops'. */
static int family(enum ks_factor f, const struct ks_design *partial)
{
	return f > KS_NEST && partial->c[KS_NEST] == KS_NEST_MICRO;
}

/*
 * The distribution of factor f given the design so far, under the masks: prob[c] (0 where
 * masked) and, when jac is not NULL, jac[c][k] = d log prob[c] / d logit[f][k] for the allowed
 * c. Every factor is a softmax of its logits over the allowed choices, but for the loop nest,
 * which is two-level: logit[KS_NEST][KS_NEST_MICRO] decides between the GotoBLAS family and the
 * plain loops (whose family logit is 0), and the other logits among the plain orders. A
 * flat softmax would rank nest=micro against i-k-j by logits learnt apart: the problems that
 * do not permit register_blocking mask micro out and keep raising i-k-j over the slow i-j-k,
 * so micro would lose its share without ever losing a comparison.
 */
static int factor_dist(const struct grpo_policy *p, enum ks_factor f, const struct ks_design *partial,
		       techset_t permitted, techset_t required, double *prob,
		       double jac[GRPO_MAX_CHOICES][GRPO_MAX_CHOICES])
{
	int allowed[GRPO_MAX_CHOICES] = {0}, nc = ks_choices(f), any, two = f == KS_NEST, loops = 0;
	const double *z = p->logit[family(f, partial)][f];
	double mx = -INFINITY, sum = 0, pm = 0;
	any = ks_allowed(f, partial, permitted, required, allowed);
	for (int c = 0; c < nc; c++)
		if (allowed[c] && !(two && c == KS_NEST_MICRO) && z[c] > mx)
			mx = z[c];
	for (int c = 0; c < nc; c++) {
		prob[c] = allowed[c] && !(two && c == KS_NEST_MICRO) ? exp(z[c] - mx) : 0;
		sum += prob[c];
		loops += prob[c] > 0;
	}
	for (int c = 0; c < nc; c++)
		prob[c] = sum > 0 ? prob[c] / sum : 0;
	if (two && allowed[KS_NEST_MICRO]) {
		/* the micro family against the loops (logit 0), when both may be chosen */
		pm = loops ? 1 / (1 + exp(-z[KS_NEST_MICRO])) : 1;
		for (int c = 0; c < nc; c++)
			prob[c] *= 1 - pm;
		prob[KS_NEST_MICRO] = pm;
	}
	if (jac) {
		for (int c = 0; c < nc; c++)
			for (int k = 0; k < nc; k++) {
				double g = 0;
				if (prob[c] <= 0) {
					jac[c][k] = 0;
					continue;
				}
				if (two && c == KS_NEST_MICRO)
					g = k == KS_NEST_MICRO && loops ? 1 - pm : 0;
				else if (two && k == KS_NEST_MICRO)
					g = allowed[KS_NEST_MICRO] ? -pm : 0;
				else /* within the softmax: [c == k] minus k's share in it */
					g = (c == k) - (two ? prob[k] / (1 - pm) : prob[k]);
				jac[c][k] = g;
			}
	}
	return any;
}

void grpo_policy_sample(const struct grpo_policy *p, techset_t permitted, techset_t required,
		       uint64_t *rng, struct ks_design *d, double logp[KS__COUNT])
{
	double prob[GRPO_MAX_CHOICES];
	memset(d, 0, sizeof *d);
	for (int f = 0; f < KS__COUNT; f++) {
		int nc = ks_choices((enum ks_factor)f), pick = -1;
		double u;
		if (factor_dist(p, (enum ks_factor)f, d, permitted, required, prob, NULL) == 0) {
			/* No allowed choice (cannot happen when required is attainable): the first. */
			d->c[f] = 0;
			logp[f] = -INFINITY;
			continue;
		}
		u = grpo_uniform(rng);
		for (int c = 0; c < nc; c++) {
			if (prob[c] <= 0)
				continue;
			pick = c;
			if (u < prob[c])
				break;
			u -= prob[c];
		}
		d->c[f] = pick;
		logp[f] = log(prob[pick]);
	}
}

double grpo_policy_logp(const struct grpo_policy *p, const struct ks_design *d, techset_t permitted,
		       techset_t required, double logp[KS__COUNT])
{
	double prob[GRPO_MAX_CHOICES], lp = 0;
	struct ks_design partial;
	memset(&partial, 0, sizeof partial);
	for (int f = 0; f < KS__COUNT; f++) {
		factor_dist(p, (enum ks_factor)f, &partial, permitted, required, prob, NULL);
		if (d->c[f] < 0 || d->c[f] >= ks_choices((enum ks_factor)f) || prob[d->c[f]] <= 0)
			return -INFINITY;
		lp += log(prob[d->c[f]]);
		if (logp)
			logp[f] = log(prob[d->c[f]]);
		partial.c[f] = d->c[f];
	}
	return lp;
}

void grpo_policy_grad_logp(const struct grpo_policy *p, const struct ks_design *d, techset_t permitted,
			  techset_t required,
			  double grad[GRPO_FAMILIES][KS__COUNT][GRPO_MAX_CHOICES])
{
	struct ks_design partial;
	memset(&partial, 0, sizeof partial);
	memset(grad, 0, sizeof(double) * GRPO_FAMILIES * KS__COUNT * GRPO_MAX_CHOICES);
	for (int f = 0; f < KS__COUNT; f++) {
		double prob[GRPO_MAX_CHOICES], jac[GRPO_MAX_CHOICES][GRPO_MAX_CHOICES];
		factor_dist(p, (enum ks_factor)f, &partial, permitted, required, prob, jac);
		if (d->c[f] >= 0 && d->c[f] < ks_choices((enum ks_factor)f) && prob[d->c[f]] > 0)
			for (int k = 0; k < ks_choices((enum ks_factor)f); k++)
				grad[family((enum ks_factor)f, &partial)][f][k] = jac[d->c[f]][k];
		partial.c[f] = d->c[f];
	}
}

void grpo_update(struct grpo_policy *p, const struct grpo_policy *ref, const struct grpo_sample *s,
		 size_t n, const struct grpo_opts *o, struct grpo_stats *st)
{
	double *adv;
	int maxg = -1;
	memset(st, 0, sizeof *st);
	if (n == 0)
		return; /* no rewards arrived: nothing to learn, no step */
	if (!(adv = calloc(n, sizeof *adv)))
		abort();
	/* Group-normalised advantages. */
	for (size_t i = 0; i < n; i++)
		if (s[i].group > maxg)
			maxg = s[i].group;
	for (int g = 0; g <= maxg; g++) {
		double sum = 0, sq = 0, mean, sd;
		int cnt = 0;
		for (size_t i = 0; i < n; i++)
			if (s[i].group == g) {
				sum += s[i].reward;
				cnt++;
			}
		if (!cnt)
			continue;
		mean = sum / cnt;
		for (size_t i = 0; i < n; i++)
			if (s[i].group == g)
				sq += (s[i].reward - mean) * (s[i].reward - mean);
		sd = sqrt(sq / cnt);
		if (sd > 1e-9)
			st->groups_with_signal++;
		for (size_t i = 0; i < n; i++)
			if (s[i].group == g)
				adv[i] = sd > 1e-9 ? (s[i].reward - mean) / sd : 0;
	}
	for (size_t i = 0; i < n; i++)
		st->mean_reward += s[i].reward / (double)n;
	st->samples = (int)n;

	for (int e = 0; e < (o->epochs > 0 ? o->epochs : 1); e++) {
		double grad[GRPO_FAMILIES][KS__COUNT][GRPO_MAX_CHOICES];
		int clipped = 0;
		double kl_sum = 0, ent_sum = 0;
		memset(grad, 0, sizeof grad);
		for (size_t i = 0; i < n; i++) {
			struct ks_design partial;
			int bad = 0;
			for (int f = 0; f < KS__COUNT; f++)
				bad |= !isfinite(s[i].logp_old[f]);
			if (bad || !isfinite(grpo_policy_logp(p, &s[i].d, s[i].permitted, s[i].required, NULL)))
				continue;
			memset(&partial, 0, sizeof partial);
			for (int f = 0; f < KS__COUNT; f++) {
				double pr[GRPO_MAX_CHOICES] = {0}, rp[GRPO_MAX_CHOICES] = {0}, kl = 0, ratio,
				       coef, lr_[GRPO_MAX_CHOICES] = {0};
				double jac[GRPO_MAX_CHOICES][GRPO_MAX_CHOICES];
				int nc = ks_choices((enum ks_factor)f), a = s[i].d.c[f],
				    t = family((enum ks_factor)f, &partial);
				factor_dist(p, (enum ks_factor)f, &partial, s[i].permitted, s[i].required, pr, jac);
				factor_dist(ref, (enum ks_factor)f, &partial, s[i].permitted, s[i].required, rp,
					    NULL);
				/* The factor's ratio, clipped as GRPO clips a token's: no gradient once it
				 * has left the trust region in the advantage's direction. */
				ratio = exp(log(pr[a]) - s[i].logp_old[f]);
				if ((adv[i] > 0 && ratio > 1 + o->clip) || (adv[i] < 0 && ratio < 1 - o->clip)) {
					coef = 0;
					clipped++;
				} else {
					coef = adv[i] * ratio;
				}
				for (int c = 0; c < nc; c++)
					if (pr[c] > 0 && rp[c] > 0) {
						lr_[c] = log(pr[c]) - log(rp[c]);
						kl += pr[c] * lr_[c];
						ent_sum -= pr[c] * log(pr[c]);
					}
				kl_sum += kl;
				for (int k = 0; k < nc; k++) {
					/* d ratio-objective / d z_k = coef * d log pi(a) / d z_k;
					 * d KL / d z_k = sum_c pi_c (d log pi_c / d z_k) log(pi_c / rho_c) */
					double dkl = 0;
					for (int c = 0; c < nc; c++)
						if (pr[c] > 0)
							dkl += pr[c] * jac[c][k] * lr_[c];
					grad[t][f][k] += (coef * jac[a][k] - o->kl_beta * dkl) / (double)n;
				}
				partial.c[f] = a;
			}
		}
		for (int t = 0; t < GRPO_FAMILIES; t++)
			for (int f = 0; f < KS__COUNT; f++)
				for (int c = 0; c < GRPO_MAX_CHOICES; c++)
					p->logit[t][f][c] += o->lr * grad[t][f][c];
		if (e == 0) {
			st->kl = n ? kl_sum / (double)n : 0;
			st->entropy = n ? ent_sum / (double)n : 0;
		}
		st->clip_fraction = n ? (double)clipped / ((double)n * KS__COUNT) : 0;
	}
	p->step++;
	free(adv);
}

/* One family's table as {factor: {choice: logit}}, for the factors from first on. */
static json_t *table_json(const struct grpo_policy *p, int t, int first)
{
	json_t *factors = json_object();
	for (int f = first; f < KS__COUNT; f++) {
		json_t *ch = json_object();
		for (int c = 0; c < ks_choices((enum ks_factor)f); c++)
			json_object_set_new(ch, ks_choice_name((enum ks_factor)f, c),
					    json_real(p->logit[t][f][c]));
		json_object_set_new(factors, ks_factor_name((enum ks_factor)f), ch);
	}
	return factors;
}

json_t *grpo_policy_json(const struct grpo_policy *p)
{
	return json_pack("{s:i, s:I, s:o, s:o}", "version", 2, "step", (json_int_t)p->step, "factors",
			 table_json(p, 0, 0), "micro_factors", table_json(p, 1, KS_NEST + 1));
}

static int table_from_json(json_t *factors, struct grpo_policy *p, int t, int first, char *err,
			   size_t errlen)
{
	for (int f = first; f < KS__COUNT; f++) {
		json_t *ch = json_object_get(factors, ks_factor_name((enum ks_factor)f));
		for (int c = 0; c < ks_choices((enum ks_factor)f); c++) {
			json_t *v = json_object_get(ch, ks_choice_name((enum ks_factor)f, c));
			if (!json_is_number(v) || !isfinite(json_number_value(v))) {
				snprintf(err, errlen, "checkpoint: no finite logit for %s%s=%s",
					 t ? "micro_factors " : "", ks_factor_name((enum ks_factor)f),
					 ks_choice_name((enum ks_factor)f, c));
				return -1;
			}
			p->logit[t][f][c] = json_number_value(v);
		}
	}
	return 0;
}

int grpo_policy_from_json(json_t *j, struct grpo_policy *p, char *err, size_t errlen)
{
	json_t *factors = json_object_get(j, "factors"), *micro = json_object_get(j, "micro_factors");
	grpo_policy_init(p);
	if (json_integer_value(json_object_get(j, "version")) == 1) {
		snprintf(err, errlen, "a checkpoint of an older design space (version 1, without "
			 "nest=micro); this perfrl reads version 2");
		return -1;
	}
	if (json_integer_value(json_object_get(j, "version")) != 2 || !json_is_object(factors) ||
	    !json_is_object(micro)) {
		snprintf(err, errlen, "not a perfrl builtin policy checkpoint (version 2)");
		return -1;
	}
	p->step = (long)json_integer_value(json_object_get(j, "step"));
	return table_from_json(factors, p, 0, 0, err, errlen) ||
			       table_from_json(micro, p, 1, KS_NEST + 1, err, errlen)
		       ? -1
		       : 0;
}
