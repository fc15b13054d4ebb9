/* expect: rejected | class: include to leak a file through compiler errors - #include "/etc/passwd" (the detail must never quote it) */
#include "/etc/passwd"

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	(void)m, (void)n, (void)k, (void)A, (void)B, (void)C;
}
