/* expect: ok | class: deferred work via OpenMP - tasks spawned from `single nowait`; the region's implicit barrier still waits for them */
/* The intent is to return while the tasks are still running, but OpenMP
 * guarantees that every task bound to a parallel region is complete when the
 * region ends, so C is whole when dgemm returns: correct, hence ok. (Only a
 * raw thread could outlive the call: see the raw-thread variant.) The
 * sandbox must let OpenMP tasks run (futex, thread creation) for this to pass. */
#include <omp.h>

static void rows(int i0, int i1, int n, int k, const double *A, const double *B, double *C)
{
	for (int i = i0; i < i1; i++)
		for (int j = 0; j < n; j++) {
			double s = 0.0;
			for (int p = 0; p < k; p++)
				s += A[(long)i * k + p] * B[(long)p * n + j];
			C[(long)i * n + j] = s;
		}
}

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
#pragma omp parallel
#pragma omp single nowait
	for (int i = 0; i < m; i += 8) {
		const int i1 = i + 8 < m ? i + 8 : m;
#pragma omp task firstprivate(i, i1)
		rows(i, i1, n, k, A, B, C);
	}
	/* no taskwait: "let the tasks finish after we return" */
}
