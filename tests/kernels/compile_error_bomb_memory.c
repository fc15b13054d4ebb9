/* expect: compile_error | class: compiler bomb (memory) - macros quadrupling tokens, stringized whole: cc1 exhausts its address-space limit in ~2 s */
/* A11 expands to 2^26 tokens. The argument of F is expanded in full before S
 * stringizes it, so the preprocessor holds every token at once: cc1 dies with
 * "out of memory" under the build's 4 GiB RLIMIT_AS. That is this source's
 * fault, not the machine's: compile_error, and the batch goes on. */
#define A0 x x x x x x x x x x x x x x x x
#define A1 A0 A0 A0 A0
#define A2 A1 A1 A1 A1
#define A3 A2 A2 A2 A2
#define A4 A3 A3 A3 A3
#define A5 A4 A4 A4 A4
#define A6 A5 A5 A5 A5
#define A7 A6 A6 A6 A6
#define A8 A7 A7 A7 A7
#define A9 A8 A8 A8 A8
#define A10 A9 A9 A9 A9
#define A11 A10 A10 A10 A10
#define S(x) #x
#define F(x) S(x)

static const char *const bomb = F(A11);

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	for (int i = 0; i < m; i++)
		for (int j = 0; j < n; j++) {
			double sum = bomb[m & 1] == 'x' ? 0.0 : 1.0;
			for (int p = 0; p < k; p++)
				sum += A[(long)i * k + p] * B[(long)p * n + j];
			C[(long)i * n + j] = sum;
		}
}
