/* expect: compile_error | class: plain compiler error - an undeclared variable (lda) and a missing semicolon, as LLMs write them */
void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	for (int i = 0; i < m; i++)
		for (int j = 0; j < n; j++) {
			double s = 0.0
			for (int p = 0; p < k; p++)
				s += A[i * lda + p] * B[p * n + j];
			C[i * n + j] = s;
		}
}
