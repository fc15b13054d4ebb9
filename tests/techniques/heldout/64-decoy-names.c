/* techniques: none */
/* Names that promise more than the code does: nothing here is vectorised,
   threaded or tiled. */
#define BLOCK 1          /* rows handed to the inner loop at a time: one */

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    int omp_block = 0;                   /* just a row counter */
    for (int i = 0; i < m; i += BLOCK) {
        double *tile = C + (long)i * n;  /* the output row */
        for (int j = 0; j < n; j++) {
            double simd = 0.0;           /* plain scalar accumulator */
            for (int p = 0; p < k; p++) {
                const double _mm256 = A[(long)i * k + p];
                simd += _mm256 * B[(long)p * n + j];
            }
            tile[j] = simd;
        }
        omp_block++;
    }
    (void)omp_block;
}
