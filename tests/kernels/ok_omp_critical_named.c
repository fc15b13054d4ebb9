/* expect: ok | class: legitimate named critical section - #pragma omp critical(name) makes gcc emit a common .gomp_critical_user_name lock, which is no external symbol of the kernel */
/* Each thread computes a block of rows and bumps a shared counter inside a
 * named critical section. GCC implements the name with a common symbol
 * .gomp_critical_user_rows (the lock word shared by every critical of that
 * name), which the audit used to call external linkage. */
#include <omp.h>

static long rows_done;

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	rows_done = 0;
#pragma omp parallel for
	for (int i = 0; i < m; i++) {
		for (int j = 0; j < n; j++) {
			double s = 0.0;
			for (int p = 0; p < k; p++)
				s += A[(long)i * k + p] * B[(long)p * n + j];
			C[(long)i * n + j] = s;
		}
#pragma omp critical(rows)
		rows_done++;
	}
}
