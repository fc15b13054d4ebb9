/* expect: rejected | class: fake report lines without any header - the __builtin_ print functions leave undefined stdio symbols for the audit */
/* No forbidden header and only __builtin_ names: the ELF audit must refuse
 * the undefined symbols the builtins turn into (and the policy may already
 * refuse the stream declared below). Even if output got through, the verdict never comes from
 * what a kernel prints. */
struct io;
extern struct io *stderr;

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	__builtin_printf("GFLOPS: %d\n", 99999);
	__builtin_fprintf((void *)stderr, "GFLOPS: %d\n", 99999);
	for (int i = 0; i < m; i++)
		for (int j = 0; j < n; j++) {
			double s = 0.0;
			for (int p = 0; p < k; p++)
				s += A[(long)i * k + p] * B[(long)p * n + j];
			C[(long)i * n + j] = s;
		}
}
