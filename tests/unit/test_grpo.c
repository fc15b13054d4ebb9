/* test_grpo.c - the built-in policy: masks respected, log-probabilities consistent, checkpoints
 * round-trip, and GRPO raises the reward of a known reward function (it must be able to fail). */
#include "config.h"
#include "../lib/check.h"
#include "grpo.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A stand-in for measured GFLOPS: more for the techniques that pay on a real CPU. */
static double fake_gflops(const struct ks_design *d)
{
	techset_t t = ks_techniques(d);
	double g = 1;
	if (t & (1u << TECH_LOOP_REORDER))
		g *= 4;
	if (t & (1u << TECH_OPENMP))
		g *= 1.8;
	if (t & (1u << TECH_SIMD))
		g *= 2;
	if (t & (1u << TECH_REGISTER_BLOCKING))
		g *= 10; /* needs the i-j-k order: more than loop_reorder's 4x */
	return g;
}

static double mean_of(const struct grpo_policy *p, techset_t perm, uint64_t *rng, int n)
{
	double sum = 0, lp[KS__COUNT];
	struct ks_design d;
	for (int i = 0; i < n; i++) {
		grpo_policy_sample(p, perm, 0, rng, &d, lp);
		sum += fake_gflops(&d);
	}
	return sum / n;
}

int main(void)
{
	struct grpo_policy p, ref, q;
	uint64_t rng = 42;
	techset_t all = (1u << TECH__BUILTIN) - 1;
	char err[200];

	grpo_policy_init(&p);
	grpo_policy_init(&ref);

	/* Masks: with only openmp permitted, no draw ever uses anything else; a required
	 * technique is always there; logp agrees with grpo_policy_logp. */
	for (int i = 0; i < 300; i++) {
		struct ks_design d;
		double lp[KS__COUNT], lp2[KS__COUNT], sum = 0;
		techset_t perm = 1u << TECH_OPENMP;
		grpo_policy_sample(&p, perm, 0, &rng, &d, lp);
		CHECK((ks_techniques(&d) & ~perm) == 0);
		for (int f = 0; f < KS__COUNT; f++)
			sum += lp[f];
		CHECK(fabs(sum - grpo_policy_logp(&p, &d, perm, 0, lp2)) < 1e-9);
		CHECK(memcmp(lp, lp2, sizeof lp) == 0 || fabs(lp[0] - lp2[0]) < 1e-12);
		grpo_policy_sample(&p, all, 1u << TECH_SIMD, &rng, &d, lp);
		CHECK(ks_techniques(&d) & (1u << TECH_SIMD));
		sum = 0;
		for (int f = 0; f < KS__COUNT; f++)
			sum += lp[f];
		CHECK(isfinite(sum) && sum < 0);
	}

	/* Learning: 30 GRPO steps of 4 groups of 8 at least double the mean reward and come within
	 * 15% of the best design's 38 (i-j-k + micro tile + OpenMP + SIMD). */
	{
		double before = mean_of(&p, all, &rng, 2000), after;
		struct grpo_opts o = {.lr = 0.5, .clip = 0.2, .kl_beta = 0.04, .epochs = 4};
		struct grpo_stats st;
		for (int step = 0; step < 30; step++) {
			struct grpo_sample s[32];
			for (int i = 0; i < 32; i++) {
				grpo_policy_sample(&p, all, 0, &rng, &s[i].d, s[i].logp_old);
				s[i].permitted = all;
				s[i].required = 0;
				s[i].reward = fake_gflops(&s[i].d);
				s[i].group = i / 8;
			}
			grpo_update(&p, &ref, s, 32, &o, &st);
			CHECK(st.samples == 32);
			CHECK(isfinite(st.kl) && st.kl >= -1e-12);
		}
		after = mean_of(&p, all, &rng, 2000);
		printf("fake GFLOPS: %.2f before, %.2f after 30 steps (%.1fx)\n", before, after,
		       after / before);
		CHECK(after > 2 * before);
		CHECK(after > 0.85 * 38);
		CHECK(p.step == 30);
	}

	/* A group whose rewards are all equal teaches nothing. */
	{
		struct grpo_sample s[4];
		struct grpo_opts o = {.lr = 1, .clip = 0.2, .kl_beta = 0, .epochs = 1};
		struct grpo_stats st;
		grpo_policy_init(&q);
		for (int i = 0; i < 4; i++) {
			grpo_policy_sample(&q, all, 0, &rng, &s[i].d, s[i].logp_old);
			s[i].permitted = all;
			s[i].required = 0;
			s[i].reward = 7;
			s[i].group = 0;
		}
		grpo_update(&q, &ref, s, 4, &o, &st);
		CHECK(st.groups_with_signal == 0);
		for (int t = 0; t < GRPO_FAMILIES; t++)
			for (int f = 0; f < KS__COUNT; f++)
				for (int c = 0; c < GRPO_MAX_CHOICES; c++)
					CHECK(q.logit[t][f][c] == 0);
	}

	/* Checkpoints round-trip; a broken one is refused. */
	{
		json_t *j = grpo_policy_json(&p);
		CHECK(grpo_policy_from_json(j, &q, err, sizeof err) == 0);
		CHECK(q.step == p.step);
		CHECK(memcmp(q.logit, p.logit, sizeof q.logit) == 0);
		json_object_set_new(j, "version", json_integer(3));
		CHECK(grpo_policy_from_json(j, &q, err, sizeof err) == -1);
		json_object_set_new(j, "version", json_integer(1)); /* before nest=micro */
		CHECK(grpo_policy_from_json(j, &q, err, sizeof err) == -1 && strstr(err, "older"));
		json_decref(j);
	}

	/* The gradient of log pi(d) against finite differences, for random logits and masks
	 * (the loop nest's two levels included). */
	{
		int bad = 0, tried = 0;
		const techset_t perms[] = {all, 1u << TECH_OPENMP | 1u << TECH_LOOP_REORDER,
					   1u << TECH_REGISTER_BLOCKING | 1u << TECH_SIMD,
					   1u << TECH_REGISTER_BLOCKING};
		for (int t = 0; t < 40; t++) {
			struct grpo_policy r;
			struct ks_design d;
			double lp[KS__COUNT], g[GRPO_FAMILIES][KS__COUNT][GRPO_MAX_CHOICES];
			techset_t perm = perms[t % 4];
			grpo_policy_init(&r);
			for (int u = 0; u < GRPO_FAMILIES; u++)
				for (int f = 0; f < KS__COUNT; f++)
					for (int c = 0; c < ks_choices(f); c++)
						r.logit[u][f][c] = 4 * grpo_uniform(&rng) - 2;
			grpo_policy_sample(&r, perm, 0, &rng, &d, lp);
			grpo_policy_grad_logp(&r, &d, perm, 0, g);
			for (int u = 0; u < GRPO_FAMILIES; u++)
				for (int f = 0; f < KS__COUNT; f++)
					for (int c = 0; c < ks_choices(f); c++) {
						struct grpo_policy up = r, dn = r;
						double num;
						up.logit[u][f][c] += 1e-6;
						dn.logit[u][f][c] -= 1e-6;
						num = (grpo_policy_logp(&up, &d, perm, 0, NULL) -
						       grpo_policy_logp(&dn, &d, perm, 0, NULL)) / 2e-6;
						bad += fabs(num - g[u][f][c]) > 1e-5;
						tried++;
					}
		}
		CHECK(tried > 2000 && bad == 0);
	}

	/* The two-level nest: micro's logit moves only the GotoBLAS family's share, and with
	 * micro masked (no register_blocking) the plain orders share everything. */
	{
		struct grpo_policy r;
		struct ks_design d = {{0}};
		double lp[KS__COUNT];
		grpo_policy_init(&r);
		r.logit[0][KS_NEST][KS_NEST_MICRO] = log(3.0); /* micro 3 : 1 against the loops */
		r.logit[0][KS_NEST][KS_NEST_IKJ] = log(2.0);   /* ikj 2 : 1 : 1 among them */
		d.c[KS_NEST] = KS_NEST_IKJ;
		grpo_policy_logp(&r, &d, all, 0, lp);
		CHECK(fabs(exp(lp[KS_NEST]) - 0.25 * 0.5) < 1e-12);
		grpo_policy_logp(&r, &d, all & ~(1u << TECH_REGISTER_BLOCKING), 0, lp);
		CHECK(fabs(exp(lp[KS_NEST]) - 0.5) < 1e-12);
		d.c[KS_NEST] = KS_NEST_MICRO;
		d.c[KS_MICRO] = 1;
		grpo_policy_logp(&r, &d, all, 0, lp);
		CHECK(fabs(exp(lp[KS_NEST]) - 0.75) < 1e-12);
		/* the factors after the nest draw on the micro family's table after nest=micro */
		r.logit[1][KS_SIMD][2] = 30; /* avx2 */
		r.logit[0][KS_SIMD][0] = 30; /* none */
		d.c[KS_SIMD] = 2;
		grpo_policy_logp(&r, &d, all, 0, lp);
		CHECK(lp[KS_SIMD] > -1e-9);
		d.c[KS_NEST] = KS_NEST_IKJ;
		d.c[KS_MICRO] = 0;
		grpo_policy_logp(&r, &d, all, 0, lp);
		CHECK(lp[KS_SIMD] < -20);
		d.c[KS_NEST] = KS_NEST_MICRO;
		d.c[KS_MICRO] = 1;
		d.c[KS_SIMD] = 0;
		/* only micro can give register_blocking */
		grpo_policy_logp(&r, &d, all, 1u << TECH_REGISTER_BLOCKING, lp);
		CHECK(fabs(lp[KS_NEST]) < 1e-12);
	}

	/* The prior: the technique-free choice favoured by its bias, everything else uniform;
	 * 0 is the uniform policy. */
	{
		struct grpo_policy u, pr;
		int plain = 0, n = 2000;
		grpo_policy_init(&u);
		grpo_policy_init_prior(&pr, 0);
		CHECK(memcmp(&u, &pr, sizeof u) == 0);
		grpo_policy_init_prior(&pr, 2.0);
		for (int f = 0; f < KS__COUNT; f++)
			CHECK(pr.logit[0][f][0] == 2.0 && pr.logit[0][f][1] == 0);
		CHECK(pr.logit[0][KS_NEST][KS_NEST_MICRO] == -2.0);
		CHECK(pr.logit[1][KS_OMP][0] == 2.0 && pr.logit[1][KS_SIMD][2] == 0);
		for (int i = 0; i < n; i++) {
			struct ks_design d;
			double lp[KS__COUNT];
			grpo_policy_sample(&pr, all, 0, &rng, &d, lp);
			plain += d.c[KS_OMP] == 0;
		}
		/* omp: e^2 / (e^2 + 2) = 0.787 */
		CHECK(plain > 0.74 * n && plain < 0.83 * n);
	}
	return CHECK_DONE();
}
