/* techniques: openmp simd cache_blocking register_blocking unrolling */
#include <immintrin.h>

#define TI 32
#define TJ 64

static double dot1(int n, int k, const double *a, const double *b)
{
    double s = 0.0;
    for (int p = 0; p < k; p++) s += a[p] * b[(long)p * n];
    return s;
}

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
#pragma omp parallel for collapse(2) schedule(dynamic)
    for (int ti = 0; ti < m; ti += TI)
        for (int tj = 0; tj < n; tj += TJ) {
            const int ie = ti + TI < m ? ti + TI : m;
            const int je = tj + TJ < n ? tj + TJ : n;
            int i = ti;
            for (; i + 2 <= ie; i += 2) {
                const double *a0 = A + (long)i * k, *a1 = a0 + k;
                int j = tj;
                for (; j + 4 <= je; j += 4) {
                    __m128d c00 = _mm_setzero_pd(), c01 = _mm_setzero_pd();
                    __m128d c10 = _mm_setzero_pd(), c11 = _mm_setzero_pd();
                    const double *b = B + j;
                    for (int p = 0; p < k; p++, b += n) {
                        const __m128d b0 = _mm_loadu_pd(b), b1 = _mm_loadu_pd(b + 2);
                        const __m128d x0 = _mm_set1_pd(a0[p]), x1 = _mm_set1_pd(a1[p]);
                        c00 = _mm_add_pd(c00, _mm_mul_pd(x0, b0));
                        c01 = _mm_add_pd(c01, _mm_mul_pd(x0, b1));
                        c10 = _mm_add_pd(c10, _mm_mul_pd(x1, b0));
                        c11 = _mm_add_pd(c11, _mm_mul_pd(x1, b1));
                    }
                    double *c = C + (long)i * n + j;
                    _mm_storeu_pd(c, c00);
                    _mm_storeu_pd(c + 2, c01);
                    _mm_storeu_pd(c + n, c10);
                    _mm_storeu_pd(c + n + 2, c11);
                }
                for (; j < je; j++) {
                    C[(long)i * n + j] = dot1(n, k, a0, B + j);
                    C[(long)(i + 1) * n + j] = dot1(n, k, a1, B + j);
                }
            }
            for (; i < ie; i++)
                for (int j = tj; j < je; j++)
                    C[(long)i * n + j] = dot1(n, k, A + (long)i * k, B + j);
        }
}
