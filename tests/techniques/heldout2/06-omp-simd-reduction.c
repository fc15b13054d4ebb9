/* techniques: openmp simd packing */
#include <stdlib.h>
#include <omp.h>

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    double *BT = malloc(sizeof(double) * (size_t)k * (size_t)n);

    /* transpose B (k x n) into BT (n x k) */
    #pragma omp parallel for
    for (int j = 0; j < n; j++)
        for (int p = 0; p < k; p++)
            BT[(size_t)j * k + p] = B[(size_t)p * n + j];

    #pragma omp parallel for schedule(static)
    for (int i = 0; i < m; i++) {
        const double *arow = &A[(size_t)i * k];
        for (int j = 0; j < n; j++) {
            const double *bcol = &BT[(size_t)j * k];
            double sum = 0.0;
            #pragma omp simd reduction(+:sum)
            for (int p = 0; p < k; p++)
                sum += arow[p] * bcol[p];
            C[(size_t)i * n + j] = sum;
        }
    }
    free(BT);
}
