/* techniques: unrolling */
void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	for (int i = 0; i < m; i++)
		for (int j = 0; j < n; j++) {
			double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
			int p = 0;
			for (; p + 3 < k; p += 4) {
				s0 += A[i * k + p] * B[p * n + j];
				s1 += A[i * k + p + 1] * B[(p + 1) * n + j];
				s2 += A[i * k + p + 2] * B[(p + 2) * n + j];
				s3 += A[i * k + p + 3] * B[(p + 3) * n + j];
			}
			for (; p < k; p++)
				s0 += A[i * k + p] * B[p * n + j];
			C[i * n + j] = s0 + s1 + s2 + s3;
		}
}
