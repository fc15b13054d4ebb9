/* techniques: openmp simd loop_reorder */
/* Line splices inside a directive and inside an intrinsic's name: both are
   still compiled. */
#include <immintrin.h>
#include <string.h>

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
#pragma omp parallel \
        for schedule(static)
    for (int i = 0; i < m; i++) {
        double *c = C + (size_t)i * n;
        memset(c, 0, (size_t)n * sizeof(double));
        for (int p = 0; p < k; p++) {
            const double a = A[(size_t)i * k + p];
            const double *b = B + (size_t)p * n;
            const __m256d va = _mm256_set1_pd(a);
            int j = 0;
            for (; j + 4 <= n; j += 4) {
                __m256d v = _mm256_loadu_pd(c + j);
                v = _mm256_fmad\
d_pd(va, _mm256_loadu_pd(b + j), v);
                _mm256_storeu_pd(c + j, v);
            }
            for (; j < n; j++)
                c[j] += a * b[j];
        }
    }
}
