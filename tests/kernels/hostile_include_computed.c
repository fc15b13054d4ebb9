/* expect: rejected | class: computed include - #include MACRO expanding to "/etc/passwd"; no quoted path for a text check to match */
#define STR(x) #x
#define WHERE(x) STR(x)
#define LEAK WHERE(/etc/passwd)
#include LEAK

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	(void)m, (void)n, (void)k, (void)A, (void)B, (void)C;
}
