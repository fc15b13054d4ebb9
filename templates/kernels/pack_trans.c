
/* Packing: the kc x nc block of B at b (row stride ldb) is copied transposed into out
 * (its column j at out + j * kc), so that each dot product reads B with unit stride. */
static void pack_bt(int kc, int nc, const double *restrict b, long ldb, double *restrict out)
{
	for (int j = 0; j < nc; j++)
		for (int p = 0; p < kc; p++)
			out[(long)j * kc + p] = b[(long)p * ldb + j];
}
