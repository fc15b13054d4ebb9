/* expect: rejected | class: #line spelled %:line with a splice blinds the preprocessed check - token-pasted __asm__ runs */
/* The same hole as hostile_line_directive_asm.c, with the directive spelled
 * with the %: digraph and split by a backslash-newline: the source check reads
 * directives after splicing and digraphs, so the spelling does not matter. */
#define PASTE(a, b) a##b
#define ASM PASTE(__as, m__)
  %: li\
ne 7 "omp.h"

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	ASM volatile("nop");
	for (int i = 0; i < m; i++)
		for (int j = 0; j < n; j++) {
			double s = 0.0;
			for (int p = 0; p < k; p++)
				s += A[(long)i * k + p] * B[(long)p * n + j];
			C[(long)i * n + j] = s;
		}
}
