/* techniques: loop_reorder */
/* The parallel and AVX2 versions are switched off: only the i-k-j loop is built. */
#include <string.h>

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    memset(C, 0, sizeof(double) * (size_t)m * n);
#if 0
#pragma omp parallel for schedule(static)
#endif
    for (int i = 0; i < m; i++) {
        double *c = C + (size_t)i * n;
        for (int p = 0; p < k; p++) {
            const double a = A[(size_t)i * k + p];
            const double *b = B + (size_t)p * n;
#ifdef DGEMM_USE_AVX2_KERNEL    /* never defined by the build */
            __m256d va = _mm256_set1_pd(a);
            int j = 0;
            for (; j + 4 <= n; j += 4)
                _mm256_storeu_pd(c + j, _mm256_fmadd_pd(va, _mm256_loadu_pd(b + j), _mm256_loadu_pd(c + j)));
            for (; j < n; j++) c[j] += a * b[j];
#else
            for (int j = 0; j < n; j++)
                c[j] += a * b[j];
#endif
        }
    }
}
