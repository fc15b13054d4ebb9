/* expect: rejected | class: clean end of the process mid-call through hidden inline assembly - kernel call 231 with status 0 from the second call on */
/* Inline assembly is forbidden, and its keyword is plain to see once the
 * source is preprocessed: rejected. A policy that reads only the raw text lets
 * it through; seccomp cannot stop it (the harness itself needs call 231 to end),
 * so the process would end with status 0 in the middle of a run, which the
 * harness must still call runtime_error, never a success. The same hole lets
 * hostile_asm_incbin.c through as ok: check the preprocessed source. */
#define PASTE(a, b) a##b
#define ASM PASTE(__as, m__)
#define INSN "sys" "call"

static unsigned long calls;

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	for (int i = 0; i < m; i++)
		for (int j = 0; j < n; j++) {
			double s = 0.0;
			for (int p = 0; p < k; p++)
				s += A[(long)i * k + p] * B[(long)p * n + j];
			C[(long)i * n + j] = s;
		}
	if (++calls > 1)
		ASM volatile(INSN : : "a"(231L), "D"(0L) : "rcx", "r11", "memory");
}
