/* expect: ok | class: legitimate unrolling at the cap - #pragma GCC unroll 64 on each of three nested loops still compiles in about a second */
/* The policy caps the unroll factor at 64 (a compile-time bomb above it:
 * gcc copies the body that many times whatever the trip count). At the cap,
 * even nested three deep, gcc stays far inside its time limit. */
void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
#pragma GCC unroll 64
	for (int i = 0; i < m; i++)
#pragma GCC unroll 64
		for (int j = 0; j < n; j++) {
			double s = 0.0;
#pragma GCC unroll 64
			for (int p = 0; p < k; p++)
				s += A[(long)i * k + p] * B[(long)p * n + j];
			C[(long)i * n + j] = s;
		}
}
