
/* @COMMENT@ */
void dgemm(int m, int n, int k, const double *restrict A, const double *restrict B,
	   double *restrict C)
{
@BODY@}
