
/* Packing: the kc x nc block of B at b (row stride ldb) is copied into out row after row,
 * so that the rows the j loop sweeps are contiguous and the block stays in cache. */
static void pack_b(int kc, int nc, const double *restrict b, long ldb, double *restrict out)
{
	for (int p = 0; p < kc; p++)
		memcpy(out + (long)p * nc, b + (long)p * ldb, (size_t)nc * sizeof *out);
}
