/* blas_gflops.c - OpenBLAS's median GFLOPS on a shape: the practical ceiling for a kernel. */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	int m, n, k, reps = 50;
	double *A, *B, *C, t[50];
	if (argc != 2 || sscanf(argv[1], "%dx%dx%d", &m, &n, &k) != 3)
		return fprintf(stderr, "usage: blas_gflops MxNxK\n"), 2;
	A = malloc(sizeof *A * m * k);
	B = malloc(sizeof *B * k * n);
	C = malloc(sizeof *C * m * n);
	for (long i = 0; i < (long)m * k; i++)
		A[i] = rand() / (double)RAND_MAX - 0.5;
	for (long i = 0; i < (long)k * n; i++)
		B[i] = rand() / (double)RAND_MAX - 0.5;
	for (int r = -3; r < reps; r++) {
		double t0 = now();
		cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1, A, k, B, n, 0, C, n);
		if (r >= 0)
			t[r] = now() - t0;
	}
	qsort(t, reps, sizeof t[0], cmp);
	printf("%.3f\n", 2.0 * m * n * k / t[reps / 2] / 1e9);
	free(A), free(B), free(C);
	return 0;
}
