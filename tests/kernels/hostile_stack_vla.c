/* expect: runtime_error | class: stack overflow by a huge VLA - a 16 TiB variable-length array (stack clash: lands far below any stack; SIGSEGV) */
void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	const long big = (1L << 41) + n;	/* 2^41 doubles */
	double row[big];	/* a "scratch row" that is far too big */
	for (int i = 0; i < m; i++) {
		for (int j = 0; j < n; j++) {
			double s = 0.0;
			for (int p = 0; p < k; p++)
				s += A[(long)i * k + p] * B[(long)p * n + j];
			row[j] = s;
		}
		for (int j = 0; j < n; j++)
			C[(long)i * n + j] = row[j];
	}
}
