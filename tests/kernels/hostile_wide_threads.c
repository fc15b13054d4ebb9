/* expect: ok | class: thread count - asks for omp_get_num_procs() threads (two at least) and answers wrong when they ran on more CPUs than OMP_NUM_THREADS */
/* The harness must run on exactly --threads CPUs: a kernel that takes every
 * core of the node gets more than it is paid for. Each thread reads the CPU
 * it runs on (rdtscp's TSC_AUX, which Linux sets to the CPU number); seeing
 * more CPUs than omp_get_max_threads() means the limit did not hold, and the
 * kernel says so with a wrong answer. Pinned, it is an honest kernel.
 * tests/test_measure.c runs it with threads = 1 (a run with every CPU the
 * machine has cannot tell). */
#include <omp.h>
#include <x86intrin.h>

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	unsigned long long seen = 0; /* bit c % 64: a thread ran on CPU c */
	int want = omp_get_num_procs() < 2 ? 2 : omp_get_num_procs(), cpus = 0;

#pragma omp parallel num_threads(want)
	{
		unsigned long long mine = 0;
		for (int i = 0; i < 2000; i++) {
			unsigned int aux;
			__rdtscp(&aux);
			mine |= 1ULL << ((aux & 0xfff) % 64);
		}
#pragma omp atomic
		seen |= mine;
#pragma omp for
		for (int i = 0; i < m; i++)
			for (int j = 0; j < n; j++) {
				double s = 0;
				for (int p = 0; p < k; p++)
					s += A[(long)i * k + p] * B[(long)p * n + j];
				C[(long)i * n + j] = s;
			}
	}
	for (; seen; seen &= seen - 1)
		cpus++;
	if (cpus > omp_get_max_threads())
		C[0] += 1.0;
}
