/* expect: runtime_error | class: dies inside the call without any forbidden name - __builtin_trap (ud2, SIGILL) after computing C */
void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	for (int i = 0; i < m; i++)
		for (int j = 0; j < n; j++) {
			double s = 0.0;
			for (int p = 0; p < k; p++)
				s += A[(long)i * k + p] * B[(long)p * n + j];
			C[(long)i * n + j] = s;
		}
	__builtin_trap();
}
