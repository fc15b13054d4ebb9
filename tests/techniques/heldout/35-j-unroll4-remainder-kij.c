/* techniques: unrolling loop_reorder */
void dgemm(int m, int n, int k, const double *a, const double *b, double *c)
{
  long total = (long)m * n;
  for (long t = 0; t < total; t++) c[t] = 0.0;

  for (int p = 0; p < k; p++)
  {
    const double *bp = b + (long)p * n;
    for (int i = 0; i < m; i++)
    {
      const double s = a[(long)i * k + p];
      double *ci = c + (long)i * n;
      int j = 0;
      for (; j + 4 <= n; j += 4)
      {
        ci[j]     += s * bp[j];
        ci[j + 1] += s * bp[j + 1];
        ci[j + 2] += s * bp[j + 2];
        ci[j + 3] += s * bp[j + 3];
      }
      for (; j < n; j++)
        ci[j] += s * bp[j];
    }
  }
}
