/* techniques: openmp packing unrolling */
#include <stdlib.h>
#include <omp.h>

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    double *bt = (double *)aligned_alloc(64, ((sizeof(double) * (size_t)n * k + 63) / 64) * 64);

    #pragma omp parallel
    {
        #pragma omp for schedule(static)
        for (int j = 0; j < n; j++)
            for (int p = 0; p < k; p++)
                bt[(size_t)j * k + p] = B[(size_t)p * n + j];

        #pragma omp for schedule(static)
        for (int i = 0; i < m; i++) {
            const double *ai = A + (size_t)i * k;
            for (int j = 0; j < n; j++) {
                const double *bj = bt + (size_t)j * k;
                double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
                int p = 0;
                for (; p <= k - 4; p += 4) {
                    s0 += ai[p] * bj[p];
                    s1 += ai[p + 1] * bj[p + 1];
                    s2 += ai[p + 2] * bj[p + 2];
                    s3 += ai[p + 3] * bj[p + 3];
                }
                for (; p < k; p++)
                    s0 += ai[p] * bj[p];
                C[(size_t)i * n + j] = s0 + s1 + s2 + s3;
            }
        }
    }
    free(bt);
}
