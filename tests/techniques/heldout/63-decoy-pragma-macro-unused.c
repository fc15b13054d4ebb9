/* techniques: loop_reorder */
/* Left over from an experiment: these macros are defined but never expanded,
   so no OpenMP directive and no SIMD directive reaches the compiler. */
#define PARALLEL_FOR _Pragma("omp parallel for")
#define VECTORIZE    _Pragma("omp simd")
#define PAR_ROWS(i, m) _Pragma("omp parallel for") for (int i = 0; i < (m); i++)

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    for (int t = 0; t < m * n; t++) C[t] = 0.0;
    for (int p = 0; p < k; p++)
        for (int i = 0; i < m; i++) {
            const double a = A[i * k + p];
            double *c = C + i * n;
            const double *b = B + p * n;
            for (int j = 0; j < n; j++) c[j] += a * b[j];
        }
}
