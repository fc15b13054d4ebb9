/* techniques: simd loop_reorder */
/* AVX-512 with a masked tail when the compiler targets it (on the labelling
   machine -march=native defines __AVX512F__, so that path is the one built);
   AVX2 otherwise. Both paths are explicit SIMD in i-k-j order. */
#include <immintrin.h>
#include <string.h>

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    memset(C, 0, sizeof(double) * (size_t)m * n);
    for (int i = 0; i < m; i++) {
        double *c = C + (size_t)i * n;
        for (int p = 0; p < k; p++) {
            const double *b = B + (size_t)p * n;
            const double a = A[(size_t)i * k + p];
#if defined(__AVX512F__)
            const __m512d va = _mm512_set1_pd(a);
            int j = 0;
            for (; j + 8 <= n; j += 8)
                _mm512_storeu_pd(c + j, _mm512_fmadd_pd(va, _mm512_loadu_pd(b + j),
                                                        _mm512_loadu_pd(c + j)));
            if (j < n) {
                const __mmask8 msk = (__mmask8)((1u << (n - j)) - 1u);
                _mm512_mask_storeu_pd(c + j, msk,
                    _mm512_fmadd_pd(va, _mm512_maskz_loadu_pd(msk, b + j),
                                    _mm512_maskz_loadu_pd(msk, c + j)));
            }
#else
            const __m256d va = _mm256_set1_pd(a);
            int j = 0;
            for (; j + 4 <= n; j += 4)
                _mm256_storeu_pd(c + j, _mm256_fmadd_pd(va, _mm256_loadu_pd(b + j),
                                                        _mm256_loadu_pd(c + j)));
            for (; j < n; j++)
                c[j] += a * b[j];
#endif
        }
    }
}
