/* techniques: openmp cache_blocking */
#define BLK 48

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    #pragma omp parallel for collapse(2) schedule(static)
    for (int bi = 0; bi < m; bi += BLK)
        for (int bj = 0; bj < n; bj += BLK) {
            const int ei = bi + BLK < m ? bi + BLK : m;
            const int ej = bj + BLK < n ? bj + BLK : n;
            for (int i = bi; i < ei; ++i)
                for (int j = bj; j < ej; ++j) {
                    double s = 0.0;
                    for (int p = 0; p < k; ++p)
                        s += A[i * k + p] * B[p * n + j];
                    C[i * n + j] = s;
                }
        }
}
