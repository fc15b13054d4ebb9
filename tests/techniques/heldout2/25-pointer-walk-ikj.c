/* techniques: loop_reorder */
#include <stddef.h>

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
    double *crow = C;
    const double *arow = A;
    for (int i = 0; i < m; i++, crow += n, arow += k) {
        double *c = crow, *cend = crow + n;
        while (c < cend)
            *c++ = 0.0;

        const double *brow = B;
        for (int p = 0; p < k; p++, brow += n) {
            const double a = arow[p];
            const double *b = brow;
            c = crow;
            while (c < cend)
                *c++ += a * *b++;
        }
    }
}
