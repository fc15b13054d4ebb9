/* techniques: simd register_blocking */
/* Four ymm accumulators (four rows of C, four columns each) live across k. */
#include <immintrin.h>
#include <stddef.h>
#define MR 4

static void block(int R, int n, int k, const double *A, const double *B, double *C,
                  int i, int j)
{
    __m256d acc[MR];
    for (int r = 0; r < MR; r++) acc[r] = _mm256_setzero_pd();
    for (int p = 0; p < k; p++) {
        const __m256d b = _mm256_loadu_pd(B + (size_t)p * n + j);
        for (int r = 0; r < R; r++)
            acc[r] = _mm256_fmadd_pd(_mm256_broadcast_sd(A + (size_t)(i + r) * k + p), b, acc[r]);
    }
    for (int r = 0; r < R; r++)
        _mm256_storeu_pd(C + (size_t)(i + r) * n + j, acc[r]);
}

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    for (int i = 0; i < m; i += MR) {
        const int R = m - i < MR ? m - i : MR;
        int j = 0;
        for (; j + 4 <= n; j += 4)
            block(R, n, k, A, B, C, i, j);
        for (; j < n; j++)
            for (int r = 0; r < R; r++) {
                double s = 0.0;
                for (int p = 0; p < k; p++)
                    s += A[(size_t)(i + r) * k + p] * B[(size_t)p * n + j];
                C[(size_t)(i + r) * n + j] = s;
            }
    }
}
