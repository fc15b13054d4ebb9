/* expect: runtime_error | class: thread bomb with allowed tools only - #pragma omp parallel num_threads(1<<20); libgomp dies when thread creation fails */
/* Policy-clean: OpenMP is allowed. Under the process/thread and address-space
 * limits thread creation fails and libgomp ends the process
 * ("Thread creation failed"): runtime_error. If this comes out ok, the
 * sandbox let a kernel start a million threads on a shared node. */
void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
#pragma omp parallel num_threads(1 << 20)
	{
#pragma omp for
		for (int i = 0; i < m; i++)
			for (int j = 0; j < n; j++) {
				double s = 0.0;
				for (int p = 0; p < k; p++)
					s += A[(long)i * k + p] * B[(long)p * n + j];
				C[(long)i * n + j] = s;
			}
	}
}
