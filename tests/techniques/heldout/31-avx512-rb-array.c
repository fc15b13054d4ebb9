/* techniques: simd register_blocking */
/* 8 rows of C, one vector each, accumulated across k. With AVX-512 (what
   -march=native gives on the labelling machine) the vectors are __m512d and
   the tile is 8x8; otherwise __m256d and 8x4. Same techniques either way. */
#include <immintrin.h>
#include <stddef.h>

#define MR 8
#if defined(__AVX512F__)
#define VW 8
typedef __m512d vec;
#define VZERO() _mm512_setzero_pd()
#define VLOAD(p) _mm512_loadu_pd(p)
#define VSTORE(p, v) _mm512_storeu_pd((p), (v))
#define VBCAST(x) _mm512_set1_pd(x)
#define VFMA(a, b, c) _mm512_fmadd_pd((a), (b), (c))
#else
#define VW 4
typedef __m256d vec;
#define VZERO() _mm256_setzero_pd()
#define VLOAD(p) _mm256_loadu_pd(p)
#define VSTORE(p, v) _mm256_storeu_pd((p), (v))
#define VBCAST(x) _mm256_set1_pd(x)
#define VFMA(a, b, c) _mm256_fmadd_pd((a), (b), (c))
#endif

static void tile(int rows, int n, int k, const double *A, const double *B, double *C)
{
    vec acc[MR];
    for (int r = 0; r < MR; r++)
        acc[r] = VZERO();
    for (int p = 0; p < k; p++) {
        const vec b = VLOAD(B + (size_t)p * n);
        for (int r = 0; r < rows; r++)
            acc[r] = VFMA(VBCAST(A[(size_t)r * k + p]), b, acc[r]);
    }
    for (int r = 0; r < rows; r++)
        VSTORE(C + (size_t)r * n, acc[r]);
}

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    const int nv = n - n % VW;
    for (int i = 0; i < m; i += MR) {
        const int rows = m - i < MR ? m - i : MR;
        for (int j = 0; j < nv; j += VW)
            tile(rows, n, k, A + (size_t)i * k, B + j, C + (size_t)i * n + j);
        for (int r = i; r < i + rows; r++)
            for (int j = nv; j < n; j++) {
                double s = 0.0;
                for (int p = 0; p < k; p++)
                    s += A[(size_t)r * k + p] * B[(size_t)p * n + j];
                C[(size_t)r * n + j] = s;
            }
    }
}
