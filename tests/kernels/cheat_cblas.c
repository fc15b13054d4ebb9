/* expect: rejected | class: calls BLAS - cblas_dgemm with a hand-written prototype (no cblas.h for the header check to see) */
enum { RowMajor = 101, NoTrans = 111 };
void cblas_dgemm(int order, int ta, int tb, int m, int n, int k, double alpha,
		 const double *A, int lda, const double *B, int ldb, double beta,
		 double *C, int ldc);

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	cblas_dgemm(RowMajor, NoTrans, NoTrans, m, n, k, 1.0, A, k, B, n, 0.0, C, n);
}
