/* stats.h - summary statistics of timing samples. */
#ifndef PERFRL_STATS_H
#define PERFRL_STATS_H

#include <stddef.h>

double stats_median(const double *x, size_t n);
double stats_mean(const double *x, size_t n);
/* Coefficient of variation: sample standard deviation over mean (0 for n < 2). */
double stats_cv(const double *x, size_t n);

/* Robust CV: 1.4826 x median absolute deviation over median. A few calls preempted on a
 * shared node move it little; it equals the ordinary CV for normal noise. */
double stats_robust_cv(const double *x, size_t n);

#endif
