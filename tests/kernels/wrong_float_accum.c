/* expect: wrong_answer | class: single precision - products and sums in float (relative error ~1e-7, far above the double bound) */
void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	for (int i = 0; i < m; i++)
		for (int j = 0; j < n; j++) {
			float s = 0.0f;
			for (int p = 0; p < k; p++)
				s += (float)A[(long)i * k + p] * (float)B[(long)p * n + j];
			C[(long)i * n + j] = s;
		}
}
