/* expect: rejected | class: constructor - __attribute__((constructor)) runs code when the object is loaded, outside any call */
static double table[256];

__attribute__((constructor)) static void warm_up(void)
{
	for (int i = 0; i < 256; i++)
		table[i] = i;	/* could as well start threads, spin a core, ... */
}

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	for (int i = 0; i < m; i++)
		for (int j = 0; j < n; j++) {
			double s = table[0];
			for (int p = 0; p < k; p++)
				s += A[(long)i * k + p] * B[(long)p * n + j];
			C[(long)i * n + j] = s;
		}
}
