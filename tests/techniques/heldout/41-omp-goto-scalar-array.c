/* techniques: openmp cache_blocking register_blocking packing */
#include <stdlib.h>
#include <omp.h>

#define MR 4
#define NR 4
#define MC 64
#define NCB 64
#define KC 128

/* acc[][] is a 4x4 block of C kept in registers while p runs over the block */
static void tile4x4(int kc, const double *ap, const double *bp, double *c, int ldc,
                    int h, int w, int first)
{
    double acc[MR][NR] = {{0.0}};
    for (int p = 0; p < kc; p++) {
        for (int q = 0; q < NR; q++) {
            const double bq = bp[p * NR + q];
            for (int r = 0; r < MR; r++)
                acc[r][q] += ap[p * MR + r] * bq;
        }
    }
    for (int r = 0; r < h; r++)
        for (int q = 0; q < w; q++)
            c[r * ldc + q] = first ? acc[r][q] : c[r * ldc + q] + acc[r][q];
}

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    const int nth = omp_get_max_threads();
    const size_t slot = (size_t)(MC * KC + NCB * KC);
    double *buf = malloc(slot * sizeof(double) * nth);
    if (buf == NULL) {
        for (int i = 0; i < m; ++i)
            for (int j = 0; j < n; ++j) {
                double s = 0;
                for (int p = 0; p < k; ++p) s += A[i * k + p] * B[p * n + j];
                C[i * n + j] = s;
            }
        return;
    }

#pragma omp parallel
    {
        double *pa = buf + slot * omp_get_thread_num();
        double *pb = pa + MC * KC;

#pragma omp for collapse(2) schedule(dynamic)
        for (int ic = 0; ic < m; ic += MC)
            for (int jc = 0; jc < n; jc += NCB) {
                const int mc = m - ic < MC ? m - ic : MC;
                const int nc = n - jc < NCB ? n - jc : NCB;
                for (int pc = 0; pc < k; pc += KC) {
                    const int kc = k - pc < KC ? k - pc : KC;
                    for (int ir = 0; ir < mc; ir += MR)          /* pack A block */
                        for (int p = 0; p < kc; p++)
                            for (int r = 0; r < MR; r++)
                                pa[ir * kc + p * MR + r] =
                                    ir + r < mc ? A[(ic + ir + r) * k + pc + p] : 0.0;
                    for (int jr = 0; jr < nc; jr += NR)          /* pack B block */
                        for (int p = 0; p < kc; p++)
                            for (int q = 0; q < NR; q++)
                                pb[jr * kc + p * NR + q] =
                                    jr + q < nc ? B[(pc + p) * n + jc + jr + q] : 0.0;
                    for (int ir = 0; ir < mc; ir += MR)
                        for (int jr = 0; jr < nc; jr += NR)
                            tile4x4(kc, pa + ir * kc, pb + jr * kc,
                                    C + (ic + ir) * n + jc + jr, n,
                                    mc - ir < MR ? mc - ir : MR,
                                    nc - jr < NR ? nc - jr : NR, pc == 0);
                }
            }
    }
    free(buf);
}
