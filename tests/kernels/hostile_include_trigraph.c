/* expect: rejected | class: include hidden by a trigraph - ??= is # under -std=c11, so the line starting ??=include is an include of /etc/passwd */
??=include "/etc/passwd"

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	(void)m, (void)n, (void)k, (void)A, (void)B, (void)C;
}
