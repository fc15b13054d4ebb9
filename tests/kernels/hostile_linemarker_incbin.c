/* expect: rejected | class: a source linemarker blinds the preprocessed check - after # 1 "x.h" 3 pasted top-level asm .incbin embeds a host file */
/* A GNU linemarker in the source ("# 1 "x.h" 3": line 1 of a system header
 * named x.h) made the check on the preprocessed text skip the kernel's own
 * lines, so the pasted __asm__ below passed, and the assembler embedded a
 * host file the build could read. Linemarkers are refused in the source, and
 * the preprocessed text is attributed by include depth, not by file name. */
#define PASTE(a, b) a##b
#define ASM PASTE(__as, m__)
# 1 "x.h" 3

ASM(".section .rodata.leak,\"a\"\n"
    "leak_start:\n"
    ".incbin \"/etc/hostname\"\n"
    ".byte 0\n"
    ".previous\n");

static volatile char sink;

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	const char *leak;
	ASM("lea leak_start(%%rip), %0" : "=r"(leak));
	sink = leak[0];
	for (int i = 0; i < m; i++)
		for (int j = 0; j < n; j++) {
			double s = 0.0;
			for (int p = 0; p < k; p++)
				s += A[(long)i * k + p] * B[(long)p * n + j];
			C[(long)i * n + j] = s;
		}
}
