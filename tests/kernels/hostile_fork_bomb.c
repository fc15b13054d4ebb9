/* expect: rejected | class: fork bomb - fork() in a loop (hand-declared, no unistd.h); 2^10 processes that all return into the harness */
/* Bounded at 1024 so that an accidental run outside the sandbox is a nuisance,
 * not an outage; the policy must refuse fork, and seccomp (clone/fork) and
 * RLIMIT_NPROC / the PID namespace must hold if it does not. */
int fork(void);

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	for (int i = 0; i < 10; i++)
		fork();
	for (int i = 0; i < m; i++)
		for (int j = 0; j < n; j++) {
			double s = 0.0;
			for (int p = 0; p < k; p++)
				s += A[(long)i * k + p] * B[(long)p * n + j];
			C[(long)i * n + j] = s;
		}
}
