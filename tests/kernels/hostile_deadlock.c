/* expect: timeout | class: hang without burning CPU - re-acquires an OpenMP lock it holds and sleeps in futex forever (no CPU limit will fire) */
#include <omp.h>

static omp_lock_t lock;
static int ready;

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	if (!ready) {
		omp_init_lock(&lock);
		ready = 1;
	}
	omp_set_lock(&lock);
	omp_set_lock(&lock);	/* self-deadlock: a wall-clock timeout must end it */
	for (int i = 0; i < m; i++)
		for (int j = 0; j < n; j++) {
			double s = 0.0;
			for (int p = 0; p < k; p++)
				s += A[(long)i * k + p] * B[(long)p * n + j];
			C[(long)i * n + j] = s;
		}
	omp_unset_lock(&lock);
}
