/* techniques: none */
/*
 * NOTE: an earlier version used `#pragma omp parallel for`, cache blocking
 * with BLOCK_SIZE 64, _mm256_fmadd_pd intrinsics and __builtin_prefetch, but
 * it was slower on the test machine, so this is the simple version.
 */
static const char *kernel_name = "dgemm_avx2_omp_blocked_packed_unrolled";

#if 0
#include <immintrin.h>
#pragma omp parallel for collapse(2)
static void old_kernel(void) { __m256d x = _mm256_setzero_pd(); (void)x; }
#endif

#define BLOCK_SIZE 64   /* unused: kept for reference */

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    (void)kernel_name;
    for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
            double simd_acc = 0.0;   /* "simd" in name only */
            for (int p = 0; p < k; p++)
                simd_acc += A[(long)i * k + p] * B[(long)p * n + j];
            C[(long)i * n + j] = simd_acc;
        }
    }
}
