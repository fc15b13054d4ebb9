/* techniques: unrolling loop_reorder */
#define IDX_A(i, p) A[(i) * k + (p)]
#define IDX_B(p, j) B[(p) * n + (j)]
#define IDX_C(i, j) C[(i) * n + (j)]

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) IDX_C(i, j) = 0.0;
        for (int p = 0; p < k; p++) {
            const double aik = IDX_A(i, p);
#pragma GCC unroll 4
            for (int j = 0; j < n; j++)
                IDX_C(i, j) += aik * IDX_B(p, j);
        }
    }
}
