/* techniques: openmp cache_blocking */
#define X_(i,j) X[ (long)(i)*k + (j) ]
#define Y_(i,j) Y[ (long)(i)*n + (j) ]
#define Z_(i,j) Z[ (long)(i)*n + (j) ]
#define NB 64
#define MIN(a,b) ((a)<(b)?(a):(b))

void dgemm(int m,int n,int k,const double*X,const double*Y,double*Z){
  #pragma omp parallel for schedule( static )
  for(int i=0;i<m;i++){
    for(int j=0;j<n;j++) Z_(i,j)=0.0;
    for(int kk=0;kk<k;kk+=NB)
      for(int jj=0;jj<n;jj+=NB)
        for(int j=jj;j<MIN(jj+NB,n);j++){
          double s=Z_(i,j);
          for(int p=kk;p<MIN(kk+NB,k);p++) s+=X_(i,p)*Y_(p,j);
          Z_(i,j)=s;}
  }
}
