/* techniques: openmp */
#include <omp.h>

/* Each thread takes one contiguous band of rows, computed from its id. */
void dgemm(int m, int n, int k, const double *lhs, const double *rhs, double *out)
{
    #pragma omp parallel
    {
        const int tid = omp_get_thread_num();
        const int nth = omp_get_num_threads();
        const int per = (m + nth - 1) / nth;
        const int lo = tid * per;
        const int hi = lo + per < m ? lo + per : m;
        for (int row = lo; row < hi; ++row)
            for (int col = 0; col < n; ++col) {
                double dot = 0.0;
                for (int t = 0; t < k; ++t)
                    dot += lhs[row * k + t] * rhs[t * n + col];
                out[row * n + col] = dot;
            }
    }
}
