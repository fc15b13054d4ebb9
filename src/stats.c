/* stats.c - summary statistics of timing samples. */
#include "config.h"
#include "stats.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double stats_median(const double *x, size_t n)
{
	double *c, m;
	if (!n)
		return NAN;
	c = util_xmalloc(n * sizeof *c);
	memcpy(c, x, n * sizeof *c);
	qsort(c, n, sizeof *c, cmp_double);
	m = n % 2 ? c[n / 2] : (c[n / 2 - 1] + c[n / 2]) / 2;
	free(c);
	return m;
}

double stats_mean(const double *x, size_t n)
{
	double s = 0;
	for (size_t i = 0; i < n; i++)
		s += x[i];
	return n ? s / (double)n : NAN;
}

double stats_cv(const double *x, size_t n)
{
	double mu, ss = 0;
	if (n < 2)
		return 0;
	mu = stats_mean(x, n);
	for (size_t i = 0; i < n; i++)
		ss += (x[i] - mu) * (x[i] - mu);
	return mu > 0 ? sqrt(ss / (double)(n - 1)) / mu : 0;
}

double stats_robust_cv(const double *x, size_t n)
{
	double med, mad, *d;
	if (n < 2)
		return 0;
	med = stats_median(x, n);
	d = util_xmalloc(n * sizeof *d);
	for (size_t i = 0; i < n; i++)
		d[i] = fabs(x[i] - med);
	mad = stats_median(d, n);
	free(d);
	return med > 0 ? 1.4826 * mad / med : 0;
}
