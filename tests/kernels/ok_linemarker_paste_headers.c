/* expect: ok | class: legitimate token pasting next to every allowed header - the preprocessed check skips exactly the system headers' lines (which declare exit and system) and nothing of the kernel's */
/* Token pasting makes the build keep the preprocessed text and check it. The
 * headers' own lines are told apart by include depth and the compiler's
 * system include directories, so their declarations are no calls of the
 * kernel's, while every line of the kernel is still read. */
#include <immintrin.h>
#include <x86intrin.h>
#include <string.h>
#include <stdlib.h>
#include <math.h>
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <float.h>
#include <limits.h>
#include <omp.h>

#define IDX(a, b) a##b
#define ROW(i, ld) ((size_t)(i) * (size_t)(ld))

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	int IDX(row, s) = m;
#pragma omp parallel for schedule(static)
	for (int i = 0; i < rows; i++)
		for (int j = 0; j < n; j++) {
			double s = 0.0;
#pragma GCC unroll 4
			for (int p = 0; p < k; p++)
				s += A[ROW(i, k) + p] * B[ROW(p, n) + j];
			C[ROW(i, n) + j] = s;
		}
}
