/* grpo.c - a masked categorical policy over the kernel design space, and its GRPO update. */
#include "config.h"
#include "grpo.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint64_t grpo_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

double grpo_uniform(uint64_t *state)
{
	return (double)(grpo_rand(state) >> 11) * 0x1.0p-53;
}

void cat_policy_init(struct cat_policy *p)
{
	memset(p, 0, sizeof *p);
}

/* The masked softmax of factor f given the design so far: prob[c] (0 where masked). */
static int factor_probs(const struct cat_policy *p, enum ks_factor f, const struct ks_design *partial,
			techset_t permitted, techset_t required, double *prob)
{
	int allowed[GRPO_MAX_CHOICES] = {0}, nc = ks_choices(f), any;
	double mx = -INFINITY, sum = 0;
	any = ks_allowed(f, partial, permitted, required, allowed);
	for (int c = 0; c < nc; c++)
		if (allowed[c] && p->logit[f][c] > mx)
			mx = p->logit[f][c];
	for (int c = 0; c < nc; c++) {
		prob[c] = allowed[c] ? exp(p->logit[f][c] - mx) : 0;
		sum += prob[c];
	}
	for (int c = 0; c < nc; c++)
		prob[c] = sum > 0 ? prob[c] / sum : 0;
	return any;
}

void cat_policy_sample(const struct cat_policy *p, techset_t permitted, techset_t required,
		       uint64_t *rng, struct ks_design *d, double logp[KS__COUNT])
{
	double prob[GRPO_MAX_CHOICES];
	memset(d, 0, sizeof *d);
	for (int f = 0; f < KS__COUNT; f++) {
		int nc = ks_choices((enum ks_factor)f), pick = -1;
		double u;
		if (factor_probs(p, (enum ks_factor)f, d, permitted, required, prob) == 0) {
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

double cat_policy_logp(const struct cat_policy *p, const struct ks_design *d, techset_t permitted,
		       techset_t required, double logp[KS__COUNT])
{
	double prob[GRPO_MAX_CHOICES], lp = 0;
	struct ks_design partial;
	memset(&partial, 0, sizeof partial);
	for (int f = 0; f < KS__COUNT; f++) {
		factor_probs(p, (enum ks_factor)f, &partial, permitted, required, prob);
		if (d->c[f] < 0 || d->c[f] >= ks_choices((enum ks_factor)f) || prob[d->c[f]] <= 0)
			return -INFINITY;
		lp += log(prob[d->c[f]]);
		if (logp)
			logp[f] = log(prob[d->c[f]]);
		partial.c[f] = d->c[f];
	}
	return lp;
}

void grpo_update(struct cat_policy *p, const struct cat_policy *ref, const struct grpo_sample *s,
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
		double grad[KS__COUNT][GRPO_MAX_CHOICES];
		int clipped = 0;
		double kl_sum = 0, ent_sum = 0;
		memset(grad, 0, sizeof grad);
		for (size_t i = 0; i < n; i++) {
			struct ks_design partial;
			int bad = 0;
			for (int f = 0; f < KS__COUNT; f++)
				bad |= !isfinite(s[i].logp_old[f]);
			if (bad || !isfinite(cat_policy_logp(p, &s[i].d, s[i].permitted, s[i].required, NULL)))
				continue;
			memset(&partial, 0, sizeof partial);
			for (int f = 0; f < KS__COUNT; f++) {
				double pr[GRPO_MAX_CHOICES] = {0}, rp[GRPO_MAX_CHOICES] = {0}, kl = 0, ratio,
				       coef;
				int nc = ks_choices((enum ks_factor)f), a = s[i].d.c[f];
				factor_probs(p, (enum ks_factor)f, &partial, s[i].permitted, s[i].required, pr);
				factor_probs(ref, (enum ks_factor)f, &partial, s[i].permitted, s[i].required, rp);
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
						kl += pr[c] * (log(pr[c]) - log(rp[c]));
						ent_sum -= pr[c] * log(pr[c]);
					}
				kl_sum += kl;
				for (int c = 0; c < nc; c++) {
					if (pr[c] <= 0)
						continue;
					/* d log pi(a) / d z_c = [c == a] - pi_c, averaged over the factors */
					grad[f][c] += coef * ((c == a) - pr[c]) / (double)n;
					/* d KL / d z_c = pi_c (log pi_c - log rho_c - KL) */
					if (rp[c] > 0)
						grad[f][c] -= o->kl_beta * pr[c] *
							      (log(pr[c]) - log(rp[c]) - kl) / (double)n;
				}
				partial.c[f] = a;
			}
		}
		for (int f = 0; f < KS__COUNT; f++)
			for (int c = 0; c < GRPO_MAX_CHOICES; c++)
				p->logit[f][c] += o->lr * grad[f][c];
		if (e == 0) {
			st->kl = n ? kl_sum / (double)n : 0;
			st->entropy = n ? ent_sum / (double)n : 0;
		}
		st->clip_fraction = n ? (double)clipped / ((double)n * KS__COUNT) : 0;
	}
	p->step++;
	free(adv);
}

json_t *cat_policy_json(const struct cat_policy *p)
{
	json_t *factors = json_object();
	for (int f = 0; f < KS__COUNT; f++) {
		json_t *ch = json_object();
		for (int c = 0; c < ks_choices((enum ks_factor)f); c++)
			json_object_set_new(ch, ks_choice_name((enum ks_factor)f, c),
					    json_real(p->logit[f][c]));
		json_object_set_new(factors, ks_factor_name((enum ks_factor)f), ch);
	}
	return json_pack("{s:i, s:I, s:o}", "version", 1, "step", (json_int_t)p->step, "factors",
			 factors);
}

int cat_policy_from_json(json_t *j, struct cat_policy *p, char *err, size_t errlen)
{
	json_t *factors = json_object_get(j, "factors");
	cat_policy_init(p);
	if (json_integer_value(json_object_get(j, "version")) != 1 || !json_is_object(factors)) {
		snprintf(err, errlen, "not a perfrl builtin policy checkpoint (version 1)");
		return -1;
	}
	p->step = (long)json_integer_value(json_object_get(j, "step"));
	for (int f = 0; f < KS__COUNT; f++) {
		json_t *ch = json_object_get(factors, ks_factor_name((enum ks_factor)f));
		for (int c = 0; c < ks_choices((enum ks_factor)f); c++) {
			json_t *v = json_object_get(ch, ks_choice_name((enum ks_factor)f, c));
			if (!json_is_number(v) || !isfinite(json_number_value(v))) {
				snprintf(err, errlen, "checkpoint: no finite logit for %s=%s",
					 ks_factor_name((enum ks_factor)f), ks_choice_name((enum ks_factor)f, c));
				return -1;
			}
			p->logit[f][c] = json_number_value(v);
		}
	}
	return 0;
}
