/* expect: rejected | class: file read at build time - token-pasted top-level inline assembly with .incbin "/etc/passwd" embeds the file in the object */
/* The assembler, not the preprocessor, reads the file, so no include check
 * sees it; nothing is undefined or exported, so the symbol audit sees nothing.
 * The bytes end up in the cached object and in the kernel's memory, from which
 * it could encode them into its results or its timing. Only a policy that
 * checks the preprocessed source (where the keyword appears whole) catches it; if this
 * comes out ok, the build also ran with the rights to read any file it names. */
#define PASTE(a, b) a##b
#define ASM PASTE(__as, m__)

ASM(".section .rodata.leak,\"a\"\n"
    "leak_start:\n"
    ".incbin \"/etc/passwd\"\n"
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
