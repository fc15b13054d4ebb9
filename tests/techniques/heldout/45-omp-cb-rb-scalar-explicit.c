/* techniques: openmp cache_blocking register_blocking unrolling */
#define MC 64
#define KC 128
#define min(a, b) ((a) < (b) ? (a) : (b))

void dgemm(int m, int n, int k, const double *A, const double *B, double *C) {
  #pragma omp parallel for schedule(dynamic)
  for (int i0 = 0; i0 < m; i0 += MC) {
    const int i1 = min(i0 + MC, m);
    for (int p0 = 0; p0 < k; p0 += KC) {
      const int p1 = min(p0 + KC, k);
      int i = i0;
      for (; i + 1 < i1; i += 2) {
        double *c0 = C + (long)i * n, *c1 = c0 + n;
        const double *a0 = A + (long)i * k, *a1 = a0 + k;
        int j = 0;
        for (; j + 3 < n; j += 4) {
          double x00, x01, x02, x03, x10, x11, x12, x13;
          if (p0 == 0) {
            x00 = x01 = x02 = x03 = x10 = x11 = x12 = x13 = 0.0;
          } else {
            x00 = c0[j]; x01 = c0[j + 1]; x02 = c0[j + 2]; x03 = c0[j + 3];
            x10 = c1[j]; x11 = c1[j + 1]; x12 = c1[j + 2]; x13 = c1[j + 3];
          }
          for (int p = p0; p < p1; p++) {
            const double *b = B + (long)p * n + j;
            const double u = a0[p], v = a1[p];
            x00 += u * b[0]; x01 += u * b[1]; x02 += u * b[2]; x03 += u * b[3];
            x10 += v * b[0]; x11 += v * b[1]; x12 += v * b[2]; x13 += v * b[3];
          }
          c0[j] = x00; c0[j + 1] = x01; c0[j + 2] = x02; c0[j + 3] = x03;
          c1[j] = x10; c1[j + 1] = x11; c1[j + 2] = x12; c1[j + 3] = x13;
        }
        for (; j < n; j++) {
          double s0 = p0 ? c0[j] : 0.0, s1 = p0 ? c1[j] : 0.0;
          for (int p = p0; p < p1; p++) {
            s0 += a0[p] * B[(long)p * n + j];
            s1 += a1[p] * B[(long)p * n + j];
          }
          c0[j] = s0; c1[j] = s1;
        }
      }
      for (; i < i1; i++)
        for (int j = 0; j < n; j++) {
          double s = p0 ? C[(long)i * n + j] : 0.0;
          for (int p = p0; p < p1; p++) s += A[(long)i * k + p] * B[(long)p * n + j];
          C[(long)i * n + j] = s;
        }
    }
  }
}
