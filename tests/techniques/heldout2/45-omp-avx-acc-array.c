/* techniques: openmp simd register_blocking */
#include <immintrin.h>
#include <omp.h>

#define ROWS 4

static double dot_s(const double *a, const double *b, int k, int ldb)
{
    double s = 0.0;
    for (int p = 0; p < k; p++)
        s += a[p] * b[(long)p * ldb];
    return s;
}

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    const int mfull = m / ROWS * ROWS;
    const int nfull = n / 4 * 4;

    #pragma omp parallel for schedule(static)
    for (int i = 0; i < mfull; i += ROWS) {
        for (int j = 0; j < nfull; j += 4) {
            __m256d acc[ROWS];
            for (int r = 0; r < ROWS; r++)
                acc[r] = _mm256_setzero_pd();
            for (int p = 0; p < k; p++) {
                __m256d bv = _mm256_loadu_pd(B + (long)p * n + j);
                for (int r = 0; r < ROWS; r++)
                    acc[r] = _mm256_fmadd_pd(_mm256_set1_pd(A[(long)(i + r) * k + p]), bv, acc[r]);
            }
            for (int r = 0; r < ROWS; r++)
                _mm256_storeu_pd(C + (long)(i + r) * n + j, acc[r]);
        }
        for (int r = 0; r < ROWS; r++)
            for (int j = nfull; j < n; j++)
                C[(long)(i + r) * n + j] = dot_s(A + (long)(i + r) * k, B + j, k, n);
    }
    for (int i = mfull; i < m; i++)
        for (int j = 0; j < n; j++)
            C[(long)i * n + j] = dot_s(A + (long)i * k, B + j, k, n);
}
