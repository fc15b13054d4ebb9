/* techniques: openmp simd cache_blocking register_blocking unrolling */
/* Four rows x one vector of C in four accumulators, written out by hand.
   AVX-512 (8 columns) when __AVX512F__ is defined -- it is under
   -march=native on the labelling machine -- else AVX2 (4 columns). k is cut
   into KB-deep blocks so the B rows being reused stay in L2. */
#include <immintrin.h>
#include <stddef.h>

#define KB 256
#if defined(__AVX512F__)
#define W 8
#define VT __m512d
#define ZERO _mm512_setzero_pd
#define LD _mm512_loadu_pd
#define ST _mm512_storeu_pd
#define BC _mm512_set1_pd
#define FMA _mm512_fmadd_pd
#else
#define W 4
#define VT __m256d
#define ZERO _mm256_setzero_pd
#define LD _mm256_loadu_pd
#define ST _mm256_storeu_pd
#define BC _mm256_set1_pd
#define FMA _mm256_fmadd_pd
#endif

static double dotk(const double *a, const double *b, int p0, int p1, int n)
{
    double s = 0.0;
    for (int p = p0; p < p1; p++) s += a[p] * b[(size_t)p * n];
    return s;
}

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    const int m4 = m & ~3, nw = n / W * W;
#pragma omp parallel for schedule(static)
    for (int i = 0; i < m4; i += 4) {
        const double *a0 = A + (size_t)i * k, *a1 = a0 + k, *a2 = a1 + k, *a3 = a2 + k;
        double *c0 = C + (size_t)i * n, *c1 = c0 + n, *c2 = c1 + n, *c3 = c2 + n;
        for (int pb = 0; pb < k; pb += KB) {
            const int pe = pb + KB < k ? pb + KB : k;
            for (int j = 0; j < nw; j += W) {
                VT x0, x1, x2, x3;
                if (pb == 0) {
                    x0 = ZERO(); x1 = ZERO(); x2 = ZERO(); x3 = ZERO();
                } else {
                    x0 = LD(c0 + j); x1 = LD(c1 + j); x2 = LD(c2 + j); x3 = LD(c3 + j);
                }
                for (int p = pb; p < pe; p++) {
                    const VT b = LD(B + (size_t)p * n + j);
                    x0 = FMA(BC(a0[p]), b, x0);
                    x1 = FMA(BC(a1[p]), b, x1);
                    x2 = FMA(BC(a2[p]), b, x2);
                    x3 = FMA(BC(a3[p]), b, x3);
                }
                ST(c0 + j, x0); ST(c1 + j, x1); ST(c2 + j, x2); ST(c3 + j, x3);
            }
            for (int j = nw; j < n; j++) {
                c0[j] = (pb ? c0[j] : 0.0) + dotk(a0, B + j, pb, pe, n);
                c1[j] = (pb ? c1[j] : 0.0) + dotk(a1, B + j, pb, pe, n);
                c2[j] = (pb ? c2[j] : 0.0) + dotk(a2, B + j, pb, pe, n);
                c3[j] = (pb ? c3[j] : 0.0) + dotk(a3, B + j, pb, pe, n);
            }
        }
    }
    for (int i = m4; i < m; i++)
        for (int j = 0; j < n; j++)
            C[(size_t)i * n + j] = dotk(A + (size_t)i * k, B + j, 0, k, n);
}
