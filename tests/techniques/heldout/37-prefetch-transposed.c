/* techniques: packing prefetch */
#include <stdlib.h>

static double *g_bt;        /* transposed copy of B, kept between calls */
static size_t g_cap;

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    size_t need = (size_t)n * (size_t)k;
    if (need > g_cap) {
        double *nb = realloc(g_bt, need * sizeof(double));
        if (!nb) {
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int p = 0; p < k; p++) s += A[(size_t)i*k+p] * B[(size_t)p*n+j];
                    C[(size_t)i*n+j] = s;
                }
            return;
        }
        g_bt = nb;
        g_cap = need;
    }
    for (int p = 0; p < k; p++)
        for (int j = 0; j < n; j++)
            g_bt[(size_t)j * k + p] = B[(size_t)p * n + j];

    for (int i = 0; i < m; i++) {
        const double *ai = A + (size_t)i * k;
        if (i + 1 < m) __builtin_prefetch(ai + k);
        for (int j = 0; j < n; j++) {
            const double *bj = g_bt + (size_t)j * k;
            if (j + 1 < n) __builtin_prefetch(bj + k);
            double s = 0.0;
            for (int p = 0; p < k; p++) s += ai[p] * bj[p];
            C[(size_t)i * n + j] = s;
        }
    }
}
