/* techniques: loop_reorder */
/* `#pragma GCC ivdep` only promises no loop-carried dependences; it is not an
   explicit vectorisation request. */
void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    for (int i = 0; i < m; ++i) {
        double *ci = C + (long)i * n;
        for (int j = 0; j < n; ++j) ci[j] = 0.0;
        for (int p = 0; p < k; ++p) {
            const double aip = A[(long)i * k + p];
            const double *bp = B + (long)p * n;
#pragma GCC ivdep
            for (int j = 0; j < n; ++j)
                ci[j] += aip * bp[j];
        }
    }
}
