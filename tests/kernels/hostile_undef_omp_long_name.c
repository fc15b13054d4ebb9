/* expect: rejected | class: kernel-chosen text in the record - an undefined omp_ name that libgomp does not export used to pass the audit by prefix, and the loader quoted it */
/* Any undefined symbol starting with omp_ passed the audit; linking -shared
 * leaves it undefined, and the harness's dlopen then fails with a message that
 * carries the whole name (up to 200 characters of text the model chose) into
 * the record's detail. The audit now checks names against libgomp's exports. */
extern void omp_this_text_is_chosen_by_the_kernel_and_ends_up_in_the_detail_of_the_record_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx(void);

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	if (m < 0)
		omp_this_text_is_chosen_by_the_kernel_and_ends_up_in_the_detail_of_the_record_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx();
	for (int i = 0; i < m; i++)
		for (int j = 0; j < n; j++) {
			double s = 0.0;
			for (int p = 0; p < k; p++)
				s += A[(long)i * k + p] * B[(long)p * n + j];
			C[(long)i * n + j] = s;
		}
}
