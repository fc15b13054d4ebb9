/* expect: compile_error | class: compiler output flood - 10^5 errors, each with a macro-expansion backtrace (~20 MB of stderr); the detail must stay short */
#define E1 int flood = "flood" * 2;
#define E2 E1 E1 E1 E1 E1 E1 E1 E1 E1 E1
#define E3 E2 E2 E2 E2 E2 E2 E2 E2 E2 E2
#define E4 E3 E3 E3 E3 E3 E3 E3 E3 E3 E3
#define E5 E4 E4 E4 E4 E4 E4 E4 E4 E4 E4
E5

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	(void)m, (void)n, (void)k, (void)A, (void)B, (void)C;
}
