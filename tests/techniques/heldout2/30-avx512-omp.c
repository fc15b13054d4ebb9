/* techniques: openmp simd loop_reorder */
#include <immintrin.h>
#include <string.h>
#include <omp.h>

/* Row-parallel i-k-j DGEMM using the widest vectors available. */
void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
#pragma omp parallel for schedule(static)
    for (int i = 0; i < m; i++) {
        double *c = C + (size_t)i * n;
        memset(c, 0, n * sizeof(double));
        for (int p = 0; p < k; p++) {
            const double *b = B + (size_t)p * n;
            const double a = A[(size_t)i * k + p];
            int j = 0;
#if defined(__AVX512F__)
            const __m512d va = _mm512_set1_pd(a);
            for (; j + 8 <= n; j += 8)
                _mm512_storeu_pd(c + j, _mm512_fmadd_pd(va, _mm512_loadu_pd(b + j), _mm512_loadu_pd(c + j)));
#elif defined(__AVX2__)
            const __m256d va = _mm256_set1_pd(a);
            for (; j + 4 <= n; j += 4)
                _mm256_storeu_pd(c + j, _mm256_fmadd_pd(va, _mm256_loadu_pd(b + j), _mm256_loadu_pd(c + j)));
#endif
            for (; j < n; j++)
                c[j] += a * b[j];
        }
    }
}
