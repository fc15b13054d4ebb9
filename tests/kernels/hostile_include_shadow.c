/* expect: rejected | class: include by relative path - #include "../../../../../../../../etc/shadow" (climbs out of any build directory; the detail must never quote it) */
#include "../../../../../../../../etc/shadow"

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	(void)m, (void)n, (void)k, (void)A, (void)B, (void)C;
}
