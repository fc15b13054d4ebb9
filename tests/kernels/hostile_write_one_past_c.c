/* expect: runtime_error | class: writes outside C - correct C, then one element past its end (lands in the checked spare page, never faults: the same verdict as a fault) */
void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	for (int i = 0; i < m; i++)
		for (int j = 0; j < n; j++) {
			double s = 0.0;
			for (int p = 0; p < k; p++)
				s += A[(long)i * k + p] * B[(long)p * n + j];
			C[(long)i * n + j] = s;
		}
	C[(long)m * n] = 0.0;
}
