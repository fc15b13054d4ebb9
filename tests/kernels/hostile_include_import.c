/* expect: rejected | class: include under another directive - GCC's #import and a comment between # and the keyword, both reading /etc/passwd */
# /* a comment here is legal */ import "/etc/passwd"

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	(void)m, (void)n, (void)k, (void)A, (void)B, (void)C;
}
