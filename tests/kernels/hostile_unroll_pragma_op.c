/* expect: rejected | class: compiler time bomb - _Pragma("GCC unroll 65534") inside a macro, the operator form of an unroll over the cap */
#define HOT _Pragma("GCC unroll 65534")
void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	for (int i = 0; i < m; i++)
		for (int j = 0; j < n; j++) {
			double s = 0.0;
			HOT
			for (int p = 0; p < k; p++)
				s += A[(long)i * k + p] * B[(long)p * n + j];
			C[(long)i * n + j] = s;
		}
}
