/* techniques: none */
/*
 * Reference kernel, kept deliberately simple.
 *
 * TODO(perf), none of which is done here yet:
 *   - #pragma omp parallel for schedule(static) over i
 *   - _mm256_fmadd_pd on 4 columns at a time with __m256d accumulators c00..c31
 *   - __builtin_prefetch(&B[(p + 8) * n + j]);  // or _mm_prefetch
 *   - tile i/j/k with BLOCK = 64 and pack B panels into an aligned buffer
 *   - #pragma GCC unroll 8 on the k loop; swap to i-k-j order
 */
void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    // no "#pragma omp simd" here either: the loop below is scalar
    for (const double *arow = A; arow != A + (long)m * k; arow += k) {
        for (int j = 0; j < n; j++) {
            const double *bcol = B + j;
            double dot = 0.0;
            for (int p = 0; p < k; p++, bcol += n)
                dot += arow[p] * *bcol;
            *C++ = dot;
        }
    }
}
