/* expect: rejected | class: #line blinds the preprocessed check - after #line 1 "x.h" the kernel's own lines read as a header's, and token-pasted __asm__ runs */
/* The raw text never spells asm; pasting builds it. The check on the
 * preprocessed text used to skip every line whose linemarker named a file
 * other than kernel.c, and #line lets the source name any file it likes. Now
 * #line is refused in the source and lines are attributed by include depth. */
#define PASTE(a, b) a##b
#define ASM PASTE(__as, m__)
#line 1 "x.h"

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
