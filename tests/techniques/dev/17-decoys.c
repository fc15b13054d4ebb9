/* techniques: none */
/* This kernel does NOT use #pragma omp parallel for, _mm256_fmadd_pd or
 * __builtin_prefetch; the strings and names below must not fool anyone. */
#include <stdio.h>

static const char *doc = "#pragma omp parallel for / _mm256_fmadd_pd(a, b, c) / unroll 4";

#if 0
#pragma omp parallel for
static void never(void) { _mm256_setzero_pd(); __builtin_prefetch(doc); }
#endif

#define PARALLEL _Pragma("omp parallel for")

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	double _mm256 = 0.0, omp_parallel = 1.0; /* names, not intrinsics */
	// #pragma omp parallel for
	for (int i = 0; i < m; i++)
		for (int j = 0; j < n; j++) {
			double sum = _mm256 * omp_parallel;
			for (int p = 0; p < k; p++)
				sum += A[i * k + p] * B[p * n + j];
			C[i * n + j] = sum;
		}
	if (m < 0)
		puts(doc);
}
