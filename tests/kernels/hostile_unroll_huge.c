/* expect: rejected | class: compiler time bomb - #pragma GCC unroll 65534 on a long loop takes gcc past its time limit (twice: prebuild and evaluate) */
/* The unroll factor is capped in the policy; a literal over the cap, or a
 * factor that is not a plain integer literal, is refused before any compile. */
void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	for (int i = 0; i < m; i++)
		for (int j = 0; j < n; j++) {
			double s = 0.0;
#pragma GCC unroll 65534
			for (int p = 0; p < k; p++)
				s += A[(long)i * k + p] * B[(long)p * n + j];
			C[(long)i * n + j] = s;
		}
}
