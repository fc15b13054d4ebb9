/* baseline.h - OpenBLAS timed on this node: the practical ceiling a kernel is compared with. */
#ifndef PERFRL_BASELINE_H
#define PERFRL_BASELINE_H

#include "measure.h"

/* The median GFLOPS of cblas_dgemm on s with threads threads: two warm-up calls, then calls
 * until budget_s is spent (at least 5). OpenBLAS is trusted code: it runs in this process. 0, or
 * -1 (errno ENOMEM) when the matrices cannot be allocated. */
int baseline_openblas(const struct shape *s, int threads, double budget_s, double *gflops);

#endif
