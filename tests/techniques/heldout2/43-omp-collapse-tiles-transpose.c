/* techniques: openmp cache_blocking packing */
#include <stdlib.h>
#include <omp.h>

#define BS 32
#define MIN(a, b) ((a) < (b) ? (a) : (b))

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    double *Bt = (double *)malloc(sizeof(double) * (size_t)k * n);

    #pragma omp parallel for collapse(2)
    for (int jb = 0; jb < n; jb += BS)
        for (int pb = 0; pb < k; pb += BS)
            for (int j = jb; j < MIN(jb + BS, n); j++)
                for (int p = pb; p < MIN(pb + BS, k); p++)
                    Bt[(size_t)j * k + p] = B[(size_t)p * n + j];

    #pragma omp parallel for collapse(2) schedule(static)
    for (int ib = 0; ib < m; ib += BS)
        for (int jb = 0; jb < n; jb += BS)
            for (int i = ib; i < MIN(ib + BS, m); i++) {
                const double *Ai = A + (size_t)i * k;
                for (int j = jb; j < MIN(jb + BS, n); j++) {
                    const double *Bj = Bt + (size_t)j * k;
                    double dot = 0.0;
                    for (int p = 0; p < k; p++)
                        dot += Ai[p] * Bj[p];
                    C[(size_t)i * n + j] = dot;
                }
            }
    free(Bt);
}
