/* techniques: openmp loop_reorder */
#include <string.h>

static void rows(int lo, int hi, int n, int k, const double *A, const double *B, double *C)
{
    for (int i = lo; i < hi; i++) {
        double *c = C + (size_t)i * n;
        memset(c, 0, sizeof(double) * (size_t)n);
        for (int p = 0; p < k; p++) {
            const double a = A[(size_t)i * k + p];
            const double *b = B + (size_t)p * n;
            for (int j = 0; j < n; j++)
                c[j] += a * b[j];
        }
    }
}

/* Two halves of C, one OpenMP section each. */
void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    const int half = m / 2;
#pragma omp parallel sections
    {
#pragma omp section
        rows(0, half, n, k, A, B, C);
#pragma omp section
        rows(half, m, n, k, A, B, C);
    }
}
