/* expect: rejected | class: dlopen/dlsym of libopenblas - loads a BLAS at run time, no link-time dependency */
#include <dlfcn.h>

typedef void (*gemm_fn)(int, int, int, int, int, int, double, const double *, int,
			const double *, int, double, double *, int);

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	static gemm_fn f;
	if (!f) {
		void *h = dlopen("libopenblas.so.0", RTLD_NOW);
		if (!h)
			h = dlopen("libblas.so.3", RTLD_NOW);
		if (h)
			f = (gemm_fn)dlsym(h, "cblas_dgemm");
	}
	if (f)
		f(101, 111, 111, m, n, k, 1.0, A, k, B, n, 0.0, C, n);
}
