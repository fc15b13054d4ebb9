/* test_stats.c - median, CV and robust CV against hand-computed values. */
#include "config.h"
#include "../lib/check.h"
#include "stats.h"

#include <math.h>

#define NEAR(a, b) (fabs((a) - (double)(b)) <= 1e-12 * (1 + fabs((double)(b))))

int main(void)
{
	double odd[] = {5, 1, 3}, even[] = {4, 1, 3, 2}, same[] = {2, 2, 2, 2};
	double x[] = {10, 10, 10, 10, 10, 10, 10, 10, 11, 9};
	double outlier[] = {10, 10.1, 9.9, 10, 10.1, 9.9, 10, 10, 50};

	CHECK(NEAR(stats_median(odd, 3), 3));
	CHECK(NEAR(stats_median(even, 4), 2.5));
	CHECK(NEAR(stats_mean(even, 4), 2.5));
	CHECK(NEAR(stats_cv(same, 4), 0));
	CHECK(NEAR(stats_cv(odd, 1), 0));
	/* sample sd of {1,3,5} is 2, mean 3 */
	CHECK(NEAR(stats_cv(odd, 3), 2.0 / 3));
	/* MAD of x is 0: most calls agree exactly */
	CHECK(NEAR(stats_robust_cv(x, 10), 0));
	/* One preempted call moves the plain CV a lot and the robust one little. */
	CHECK(stats_cv(outlier, 9) > 0.5);
	CHECK(stats_robust_cv(outlier, 9) < 0.02);
	/* |{1,3,5} - 3| = {2,0,2}, median 2: 1.4826 * 2 / 3 */
	CHECK(NEAR(stats_robust_cv(odd, 3), 1.4826 * 2 / 3));
	return CHECK_DONE();
}
