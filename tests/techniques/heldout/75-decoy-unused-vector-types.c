/* techniques: loop_reorder */
/* Includes the intrinsics header and declares a vector type, but every
   computation below is scalar: the __m256d version was never written. */
#include <immintrin.h>
#include <string.h>

typedef double vec4 __attribute__((vector_size(32)));

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    memset(C, 0, sizeof(double) * (size_t)m * n);
    for (int i = 0; i < m; i++)
        for (int p = 0; p < k; p++) {
            double a = A[(size_t)i * k + p];
            for (int j = 0; j < n; j++)
                C[(size_t)i * n + j] += a * B[(size_t)p * n + j];
        }
}
