/* techniques: openmp simd cache_blocking register_blocking */
#include <immintrin.h>
#include <stddef.h>

#define MB 32
#define KB 256

static void rows4(int h, int n, int k, int p0, int p1, const double *a, const double *B,
                  double *c)
{
    int j = 0;
    for (; j + 4 <= n; j += 4) {
        __m256d acc[4];
        for (int r = 0; r < 4; r++)
            acc[r] = (r < h && p0 > 0) ? _mm256_loadu_pd(c + (size_t)r * n + j) : _mm256_setzero_pd();
        for (int p = p0; p < p1; p++) {
            __m256d bv = _mm256_loadu_pd(B + (size_t)p * n + j);
            for (int r = 0; r < h; r++)
                acc[r] = _mm256_fmadd_pd(_mm256_set1_pd(a[(size_t)r * k + p]), bv, acc[r]);
        }
        for (int r = 0; r < h; r++)
            _mm256_storeu_pd(c + (size_t)r * n + j, acc[r]);
    }
    for (; j < n; j++)
        for (int r = 0; r < h; r++) {
            double s = p0 > 0 ? c[(size_t)r * n + j] : 0.0;
            for (int p = p0; p < p1; p++) s += a[(size_t)r * k + p] * B[(size_t)p * n + j];
            c[(size_t)r * n + j] = s;
        }
}

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
#pragma omp parallel
#pragma omp single
#pragma omp taskloop
    for (int i0 = 0; i0 < m; i0 += MB) {
        const int i1 = i0 + MB < m ? i0 + MB : m;
        for (int p0 = 0; p0 < k; p0 += KB) {
            const int p1 = p0 + KB < k ? p0 + KB : k;
            for (int i = i0; i < i1; i += 4)
                rows4(i1 - i < 4 ? i1 - i : 4, n, k, p0, p1, A + (size_t)i * k, B,
                      C + (size_t)i * n);
        }
    }
}
