/* expect: rejected | class: kernel call reached without any forbidden name - finds the C library's raw kernel-call stub by its bytes and calls it */
/* Pure C, allowed headers only, no directive tricks: it takes the address of
 * malloc (allowed), scans the C library's code around it for the 12-byte
 * register shuffle of its generic kernel-call entry point, and calls that
 * through a function pointer to create /tmp/perfrl-pwned-gadget. Neither the
 * text policy nor the symbol audit can see it, so only the seccomp filter
 * stands between it and the files: it must kill the process (SIGSYS),
 * which is rejected. If the file appears outside the sandbox, or this comes
 * out ok, that line did not hold. (Written for x86-64 glibc; if the stub is
 * not found it gives up and leaves C as NaN: wrong_answer, a mismatch to
 * investigate.) */
#include <stdlib.h>
#include <string.h>

typedef long (*entry_fn)(long, long, long, long, long, long);

static entry_fn find_entry(void)
{
	static const unsigned char shuffle[12] = {
		0x48, 0x89, 0xf8,	/* mov %rdi,%rax */
		0x48, 0x89, 0xf7,	/* mov %rsi,%rdi */
		0x48, 0x89, 0xd6,	/* mov %rdx,%rsi */
		0x48, 0x89, 0xca,	/* mov %rcx,%rdx */
	};
	void *(*volatile anchor)(size_t) = malloc;
	const unsigned char *base = (const unsigned char *)anchor;
	for (long d = 0; d < (3L << 20); d++) {	/* outwards from malloc, both ways */
		const unsigned char *fwd = base + d, *back = base - d;
		if (memcmp(fwd, shuffle, sizeof shuffle) == 0 && fwd[23] == 0x0f && fwd[24] == 0x05)
			return (entry_fn)(unsigned long)fwd;
		if (d > 0 && memcmp(back, shuffle, sizeof shuffle) == 0 &&
		    back[23] == 0x0f && back[24] == 0x05)
			return (entry_fn)(unsigned long)back;
	}
	return 0;
}

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	entry_fn entry = find_entry();
	if (!entry)
		return;
	/* 257 = openat(AT_FDCWD, path, O_WRONLY|O_CREAT|O_TRUNC, 0644) */
	long fd = entry(257, -100, (long)"/tmp/perfrl-pwned-gadget", 01 | 0100 | 01000, 0644, 0);
	if (fd >= 0)
		entry(1, fd, (long)"pwned\n", 6, 0, 0);
	for (int i = 0; i < m; i++)
		for (int j = 0; j < n; j++) {
			double s = 0.0;
			for (int p = 0; p < k; p++)
				s += A[(long)i * k + p] * B[(long)p * n + j];
			C[(long)i * n + j] = s;
		}
}
