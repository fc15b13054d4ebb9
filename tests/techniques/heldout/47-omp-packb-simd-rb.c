/* techniques: openmp simd register_blocking packing */
/* Each thread copies a 4-column strip of B (all k rows, zero-padded) into its
   own contiguous buffer and sweeps all rows of A over it, six rows at a time,
   with six ymm accumulators. */
#include <immintrin.h>
#include <stdlib.h>
#include <omp.h>

#define MR 6

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    const int nth = omp_get_max_threads();
    double *strips = aligned_alloc(32, sizeof(double) * 4 * (size_t)k * nth);
    if (!strips) {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double s = 0.0;
                for (int p = 0; p < k; p++) s += A[(size_t)i * k + p] * B[(size_t)p * n + j];
                C[(size_t)i * n + j] = s;
            }
        return;
    }
#pragma omp parallel
    {
        double *bs = strips + (size_t)4 * k * omp_get_thread_num();
#pragma omp for schedule(static)
        for (int j = 0; j < n; j += 4) {
            const int w = n - j < 4 ? n - j : 4;
            for (int p = 0; p < k; p++)
                for (int q = 0; q < 4; q++)
                    bs[4 * p + q] = q < w ? B[(size_t)p * n + j + q] : 0.0;
            for (int i = 0; i < m; i += MR) {
                const int h = m - i < MR ? m - i : MR;
                __m256d acc[MR];
                for (int r = 0; r < MR; r++)
                    acc[r] = _mm256_setzero_pd();
                for (int p = 0; p < k; p++) {
                    const __m256d bv = _mm256_load_pd(bs + 4 * p);
                    for (int r = 0; r < h; r++)
                        acc[r] = _mm256_fmadd_pd(_mm256_set1_pd(A[(size_t)(i + r) * k + p]), bv, acc[r]);
                }
                for (int r = 0; r < h; r++) {
                    double out[4];
                    _mm256_storeu_pd(out, acc[r]);
                    for (int q = 0; q < w; q++)
                        C[(size_t)(i + r) * n + j + q] = out[q];
                }
            }
        }
    }
    free(strips);
}
