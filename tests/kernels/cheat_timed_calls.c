/* expect: wrong_answer | class: correct only while watched - exact for the first 4 calls (the checks), float arithmetic afterwards (the timed calls) */
/* Pays off only if the timed calls are not checked. */
static unsigned long calls;

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	const int exact = ++calls <= 4;
	for (int i = 0; i < m; i++)
		for (int j = 0; j < n; j++) {
			if (exact) {
				double s = 0.0;
				for (int p = 0; p < k; p++)
					s += A[(long)i * k + p] * B[(long)p * n + j];
				C[(long)i * n + j] = s;
			} else {
				float s = 0.0f;
				for (int p = 0; p < k; p++)
					s += (float)A[(long)i * k + p] * (float)B[(long)p * n + j];
				C[(long)i * n + j] = s;
			}
		}
}
