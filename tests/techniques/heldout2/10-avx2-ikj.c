/* techniques: simd loop_reorder */
#include <immintrin.h>
#include <string.h>

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    const int nv = n & ~3;  /* columns handled 4 at a time */

    for (int i = 0; i < m; ++i) {
        double *c = C + (size_t)i * n;
        memset(c, 0, sizeof(double) * n);
        for (int p = 0; p < k; ++p) {
            const double aval = A[(size_t)i * k + p];
            const __m256d va = _mm256_set1_pd(aval);
            const double *b = B + (size_t)p * n;
            int j = 0;
            for (; j < nv; j += 4) {
                __m256d vc = _mm256_loadu_pd(c + j);
                __m256d vb = _mm256_loadu_pd(b + j);
                vc = _mm256_fmadd_pd(va, vb, vc);
                _mm256_storeu_pd(c + j, vc);
            }
            for (; j < n; ++j)
                c[j] += aval * b[j];
        }
    }
}
