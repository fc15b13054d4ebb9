/* techniques: simd loop_reorder */
#include <immintrin.h>
#include <string.h>

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    memset(C, 0, (size_t)m * n * sizeof(double));
    for (int i = 0; i < m; i++) {
        double *c = C + (size_t)i * n;
        for (int p = 0; p < k; p++) {
            const double *b = B + (size_t)p * n;
            __m256d va = _mm256_set1_pd(A[(size_t)i * k + p]);
            int j = 0;
            for (; j + 4 <= n; j += 4) {
                __m256d vc = _mm256_loadu_pd(c + j);
                vc = _mm256_fmadd_pd(va, _mm256_loadu_pd(b + j), vc);
                _mm256_storeu_pd(c + j, vc);
            }
            for (; j < n; j++)
                c[j] += A[(size_t)i * k + p] * b[j];
        }
    }
}
