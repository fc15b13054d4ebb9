/* techniques: openmp register_blocking unrolling */
#include <omp.h>

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    #pragma omp parallel
    {
        #pragma omp for schedule(dynamic, 4)
        for (int i = 0; i < m; ++i) {
            const double *arow = A + (long)i * k;
            double *crow = C + (long)i * n;
            int j = 0;
            for (; j + 4 <= n; j += 4) {
                double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
                const double *bp = B + j;
                for (int p = 0; p < k; ++p, bp += n) {
                    const double av = arow[p];
                    s0 += av * bp[0];
                    s1 += av * bp[1];
                    s2 += av * bp[2];
                    s3 += av * bp[3];
                }
                crow[j] = s0;
                crow[j + 1] = s1;
                crow[j + 2] = s2;
                crow[j + 3] = s3;
            }
            for (; j < n; ++j) {
                double s = 0.0;
                for (int p = 0; p < k; ++p)
                    s += arow[p] * B[(long)p * n + j];
                crow[j] = s;
            }
        }
    }
}
