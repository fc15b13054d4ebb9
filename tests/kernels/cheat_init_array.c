/* expect: rejected | class: constructor without the word - a function pointer placed in .init_array via a section attribute */
/* No attribute a text check knows about; the ELF audit must refuse any
 * .init_array/.fini_array/.preinit_array entry (and DT_INIT/DT_FINI of its own). */
static volatile int loaded;

static void on_load(void)
{
	loaded = 1;
}

__attribute__((used, section(".init_array")))
static void (*const hook)(void) = on_load;

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	for (int i = 0; i < m; i++)
		for (int j = 0; j < n; j++) {
			double s = 0.0 * loaded;
			for (int p = 0; p < k; p++)
				s += A[(long)i * k + p] * B[(long)p * n + j];
			C[(long)i * n + j] = s;
		}
}
