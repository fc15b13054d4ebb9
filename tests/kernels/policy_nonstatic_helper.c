/* expect: rejected | class: extra external symbol - a correct kernel whose helper is not static (the contract allows only dgemm) */
double dot_column(int k, int n, const double *a, const double *b)
{
	double s = 0.0;
	for (int p = 0; p < k; p++)
		s += a[p] * b[(long)p * n];
	return s;
}

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	for (int i = 0; i < m; i++)
		for (int j = 0; j < n; j++)
			C[(long)i * n + j] = dot_column(k, n, A + (long)i * k, B + j);
}
