/* techniques: simd loop_reorder */
/* SSE2 only, two doubles per register. The j loop steps by 2 because one
   __m128d covers columns j and j+1: the body is a single vector update. */
#include <immintrin.h>

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    for (int i = 0; i < m; ++i) {
        double *crow = C + (long)i * n;
        for (int j = 0; j < n; ++j) crow[j] = 0.0;
        for (int p = 0; p < k; ++p) {
            const double *brow = B + (long)p * n;
            const double aval = A[(long)i * k + p];
            const __m128d a2 = _mm_set1_pd(aval);
            int j;
            for (j = 0; j + 1 < n; j += 2)
                _mm_storeu_pd(crow + j, _mm_add_pd(_mm_loadu_pd(crow + j),
                                                   _mm_mul_pd(a2, _mm_loadu_pd(brow + j))));
            if (j < n)
                crow[j] += aval * brow[j];
        }
    }
}
