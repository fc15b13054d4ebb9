/* test_metrics.c - pass@k, the expected best of k, fast_p and quantiles against hand-computed
 * values, edge cases included (n = k, c = 0, c = n, k > n). */
#include "config.h"
#include "../lib/check.h"
#include "metrics.h"

#include <math.h>

#define NEAR(a, b) (fabs((a) - (double)(b)) <= 1e-12 * (1 + fabs((double)(b))))

/* C(n, k) by the textbook loop, exact in doubles for these sizes */
static double binom(int n, int k)
{
	double r = 1;
	if (k < 0 || k > n)
		return 0;
	for (int i = 1; i <= k; i++)
		r = r * (n - k + i) / i;
	return r;
}

int main(void)
{
	/* pass@k */
	CHECK(NEAR(metrics_pass_at_k(1, 1, 1), 1));
	CHECK(NEAR(metrics_pass_at_k(1, 0, 1), 0));
	CHECK(NEAR(metrics_pass_at_k(3, 2, 1), 2.0 / 3));
	CHECK(NEAR(metrics_pass_at_k(3, 2, 2), 1));       /* n - c = 1 < k */
	CHECK(NEAR(metrics_pass_at_k(4, 1, 2), 0.5));     /* 1 - C(3,2)/C(4,2) = 1 - 3/6 */
	CHECK(NEAR(metrics_pass_at_k(5, 2, 2), 0.7));     /* 1 - C(3,2)/C(5,2) = 1 - 3/10 */
	CHECK(NEAR(metrics_pass_at_k(10, 3, 5), 1 - 21.0 / 252)); /* C(7,5)/C(10,5) */
	for (int n = 1; n <= 12; n++) /* n = k: 1 if any is correct, else 0 */
		for (int c = 0; c <= n; c++)
			CHECK(NEAR(metrics_pass_at_k(n, c, n), c > 0));
	for (int n = 1; n <= 12; n++) /* c = 0 is 0 for every k; c = n is 1 */
		for (int k = 1; k <= n; k++) {
			CHECK(NEAR(metrics_pass_at_k(n, 0, k), 0));
			CHECK(NEAR(metrics_pass_at_k(n, n, k), 1));
			CHECK(NEAR(metrics_pass_at_k(n, 1, 1), 1.0 / n));
		}
	for (int n = 1; n <= 20; n++) /* the product form equals the binomial ratio */
		for (int c = 0; c <= n; c++)
			for (int k = 1; k <= n; k++)
				CHECK(fabs(metrics_pass_at_k(n, c, k) -
					   (1 - binom(n - c, k) / binom(n, k))) < 1e-12);
	/* large n: stable (C(1000, 500) overflows no double here), and sensible */
	CHECK(metrics_pass_at_k(1000, 1, 500) > 0.4999 && metrics_pass_at_k(1000, 1, 500) < 0.5001);
	CHECK(metrics_pass_at_k(100000, 3, 1) > 2.9e-5 && metrics_pass_at_k(100000, 3, 1) < 3.1e-5);
	CHECK(isnan(metrics_pass_at_k(3, 1, 4)));  /* k > n */
	CHECK(isnan(metrics_pass_at_k(3, 4, 1)));  /* c > n */
	CHECK(isnan(metrics_pass_at_k(0, 0, 1)));
	CHECK(isnan(metrics_pass_at_k(3, 1, 0)));

	/* the expected best of k: speedup@k, efficiency@k */
	{
		double x[] = {3, 1, 2}, z[] = {0, 0, 0}, one[] = {7};
		double mixed[] = {0, 1, 0, 1, 1, 0, 0};
		CHECK(NEAR(metrics_expected_best(x, 3, 1), 2));        /* the mean */
		CHECK(NEAR(metrics_expected_best(x, 3, 2), (2 + 3 + 3) / 3.0)); /* pairs {1,2},{1,3},{2,3} */
		CHECK(NEAR(metrics_expected_best(x, 3, 3), 3));        /* n = k: the max */
		CHECK(NEAR(x[0], 3) && NEAR(x[1], 1));                  /* left as it was */
		CHECK(NEAR(metrics_expected_best(z, 3, 2), 0));        /* every sample failed */
		CHECK(NEAR(metrics_expected_best(one, 1, 1), 7));
		CHECK(isnan(metrics_expected_best(x, 3, 4)));
		CHECK(isnan(metrics_expected_best(x, 3, 0)));
		/* of 0/1 values it is pass@k */
		for (int k = 1; k <= 7; k++)
			CHECK(NEAR(metrics_expected_best(mixed, 7, k), metrics_pass_at_k(7, 3, k)));
	}
	{
		/* four samples: speedups 0 (failed), 0.5, 2, 4; hand: k=2 pairs (6): max of each
		 * {0,.5}=.5 {0,2}=2 {0,4}=4 {.5,2}=2 {.5,4}=4 {2,4}=4 -> 16.5/6 */
		double s[] = {2, 0, 4, 0.5};
		CHECK(NEAR(metrics_expected_best(s, 4, 2), 16.5 / 6));
		CHECK(NEAR(metrics_expected_best(s, 4, 1), 6.5 / 4));
		/* k=3: triples {0,.5,2}=2 {0,.5,4}=4 {0,2,4}=4 {.5,2,4}=4 -> 14/4 */
		CHECK(NEAR(metrics_expected_best(s, 4, 3), 3.5));
	}

	/* fast_p: correct and speedup > p (strictly) */
	{
		double sp[] = {0, 0.5, 1, 1.5, 3};
		int ok[] = {0, 1, 1, 1, 1};
		int none[] = {0, 0, 0, 0, 0};
		CHECK(NEAR(metrics_fast_p(sp, ok, 5, 0), 0.8));   /* fast_0: the share correct */
		CHECK(NEAR(metrics_fast_p(sp, ok, 5, 0.5), 0.6)); /* 0.5 is not > 0.5 */
		CHECK(NEAR(metrics_fast_p(sp, ok, 5, 1), 0.4));
		CHECK(NEAR(metrics_fast_p(sp, ok, 5, 1.5), 0.2));
		CHECK(NEAR(metrics_fast_p(sp, ok, 5, 2), 0.2));
		CHECK(NEAR(metrics_fast_p(sp, none, 5, 0), 0));   /* fast but wrong counts nothing */
		CHECK(isnan(metrics_fast_p(sp, ok, 0, 1)));
	}

	/* quantiles */
	{
		double q[] = {4, 1, 3, 2};
		CHECK(NEAR(metrics_quantile(q, 4, 0), 1));
		CHECK(NEAR(metrics_quantile(q, 4, 1), 4));
		CHECK(NEAR(metrics_quantile(q, 4, 0.5), 2.5));
		CHECK(NEAR(metrics_quantile(q, 4, 0.25), 1.75));
		CHECK(NEAR(metrics_quantile(q, 1, 0.5), 4));
		CHECK(isnan(metrics_quantile(q, 0, 0.5)));
	}
	return CHECK_DONE();
}
