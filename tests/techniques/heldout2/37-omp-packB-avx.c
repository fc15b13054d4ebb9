/* techniques: openmp simd cache_blocking packing loop_reorder */
#include <immintrin.h>
#include <stdlib.h>
#include <string.h>
#include <omp.h>

#define KC 192
#define NC 1024

/* For each KC x NC block of B: copy it into a contiguous buffer (shared by
 * all threads), then every thread updates its rows of C with AVX2 FMAs. */
void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    static double Bpack[KC * NC];

    memset(C, 0, sizeof(double) * (size_t)m * n);

    for (int jc = 0; jc < n; jc += NC) {
        const int nc = (n - jc < NC) ? n - jc : NC;
        for (int pc = 0; pc < k; pc += KC) {
            const int kc = (k - pc < KC) ? k - pc : KC;

            #pragma omp parallel
            {
                #pragma omp for schedule(static)
                for (int p = 0; p < kc; p++)
                    memcpy(Bpack + (long)p * nc, B + (long)(pc + p) * n + jc, sizeof(double) * nc);

                #pragma omp for schedule(static)
                for (int i = 0; i < m; i++) {
                    double *c = C + (long)i * n + jc;
                    const double *a = A + (long)i * k + pc;
                    for (int p = 0; p < kc; p++) {
                        const double *b = Bpack + (long)p * nc;
                        __m256d av = _mm256_broadcast_sd(a + p);
                        int j = 0;
                        for (; j + 4 <= nc; j += 4) {
                            __m256d cv = _mm256_loadu_pd(c + j);
                            cv = _mm256_fmadd_pd(av, _mm256_loadu_pd(b + j), cv);
                            _mm256_storeu_pd(c + j, cv);
                        }
                        for (; j < nc; j++)
                            c[j] += a[p] * b[j];
                    }
                }
            }
        }
    }
}
