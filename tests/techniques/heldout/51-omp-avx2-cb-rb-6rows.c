/* techniques: openmp simd cache_blocking register_blocking */
#include <immintrin.h>
#include <stddef.h>

#define MBLK 60          /* rows per thread block (multiple of 6) */
#define KBLK 128

static void strip(int rows, int n, int k, int p0, int p1, const double *A,
                  const double *B, double *C, int j)
{
    __m256d acc[6];
    for (int r = 0; r < 6; ++r)
        acc[r] = (r < rows && p0) ? _mm256_loadu_pd(C + (size_t)r * n + j) : _mm256_setzero_pd();
    for (int p = p0; p < p1; ++p) {
        const __m256d bv = _mm256_loadu_pd(B + (size_t)p * n + j);
        for (int r = 0; r < rows; ++r)
            acc[r] = _mm256_fmadd_pd(_mm256_set1_pd(A[(size_t)r * k + p]), bv, acc[r]);
    }
    for (int r = 0; r < rows; ++r)
        _mm256_storeu_pd(C + (size_t)r * n + j, acc[r]);
}

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    const int n4 = n - (n & 3);
    #pragma omp parallel for schedule(dynamic)
    for (int ib = 0; ib < m; ib += MBLK) {
        const int ie = ib + MBLK < m ? ib + MBLK : m;
        for (int kb = 0; kb < k; kb += KBLK) {
            const int ke = kb + KBLK < k ? kb + KBLK : k;
            for (int i = ib; i < ie; i += 6) {
                const int rows = ie - i < 6 ? ie - i : 6;
                for (int j = 0; j < n4; j += 4)
                    strip(rows, n, k, kb, ke, A + (size_t)i * k, B, C + (size_t)i * n, j);
                for (int r = i; r < i + rows; ++r)
                    for (int j = n4; j < n; ++j) {
                        double s = kb ? C[(size_t)r * n + j] : 0.0;
                        for (int p = kb; p < ke; ++p)
                            s += A[(size_t)r * k + p] * B[(size_t)p * n + j];
                        C[(size_t)r * n + j] = s;
                    }
            }
        }
    }
}
