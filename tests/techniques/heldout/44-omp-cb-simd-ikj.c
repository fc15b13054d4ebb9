/* techniques: openmp simd cache_blocking loop_reorder */
#include <immintrin.h>
#include <string.h>

#define BI 64
#define BK 128

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    #pragma omp parallel for schedule(static)
    for (int ii = 0; ii < m; ii += BI) {
        const int iend = ii + BI < m ? ii + BI : m;
        memset(C + (size_t)ii * n, 0, sizeof(double) * (size_t)(iend - ii) * n);
        for (int kk = 0; kk < k; kk += BK) {
            const int kend = kk + BK < k ? kk + BK : k;
            for (int i = ii; i < iend; i++) {
                double *c = C + (size_t)i * n;
                for (int p = kk; p < kend; p++) {
                    const double *b = B + (size_t)p * n;
                    const double s = A[(size_t)i * k + p];
                    const __m256d vs = _mm256_set1_pd(s);
                    int j = 0;
                    for (; j <= n - 4; j += 4)
                        _mm256_storeu_pd(c + j, _mm256_fmadd_pd(vs, _mm256_loadu_pd(b + j),
                                                                _mm256_loadu_pd(c + j)));
                    for (; j < n; j++)
                        c[j] += s * b[j];
                }
            }
        }
    }
}
