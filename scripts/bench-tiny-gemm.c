// Tiny GEMMs (n = 2..16, square, NN, beta = 0.5) through the Fortran interface of two BLAS
// libraries side by side: each repetition times a batch of 20,000 calls of one library, then the
// other; 15 repetitions, median per call. Time is the calling thread's CPU time
// (CLOCK_THREAD_CPUTIME_ID), not wall time: on a shared, loaded machine a descheduled thread
// would otherwise time its waits; at these sizes the data stays in L1, so other processes barely
// disturb the rest.
//
//   gcc -O2 -o /tmp/bench-tiny-gemm scripts/bench-tiny-gemm.c -ldl
//   BLASTOOL_NUM_THREADS=1 /tmp/bench-tiny-gemm NEW_LIB OLD_LIB
//
// "speed ratio" is old time / new time (above 1: the first library is faster).
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
typedef void (*gemm_t)(const char*, const char*, const int*, const int*, const int*, const void*, const void*, const int*, const void*, const int*, const void*, void*, const int*, size_t, size_t);
static double now(void){struct timespec t; clock_gettime(CLOCK_THREAD_CPUTIME_ID,&t); return t.tv_sec*1e9+t.tv_nsec;}
static int cmp(const void*a,const void*b){double x=*(double*)a,y=*(double*)b;return x<y?-1:x>y;}
int main(int argc,char**argv){
  if(argc<3){fprintf(stderr,"usage: %s NEW_LIB OLD_LIB (two BLAS shared libraries)\n",argv[0]);return 2;}
  void *h[2]; const char *names[4]={"sgemm_","dgemm_","cgemm_","zgemm_"}; int esz[4]={4,8,8,16};
  for(int l=0;l<2;l++){h[l]=dlopen(argv[1+l],RTLD_NOW|RTLD_LOCAL); if(!h[l]){fprintf(stderr,"%s\n",dlerror());return 2;}}
  int sizes[]={2,3,4,5,6,7,8,10,12,16}; int ns=sizeof sizes/sizeof*sizes;
  double one[4]={1,0,0,0}, beta[4]={0.5,0,0,0};
  float onef[2]={1,0}, betaf[2]={0.5,0};
  for(int r=0;r<4;r++){
    gemm_t f[2]; for(int l=0;l<2;l++) f[l]=(gemm_t)dlsym(h[l],names[r]);
    for(int si=0;si<ns;si++){
      int n=sizes[si]; size_t bytes=(size_t)n*n*esz[r];
      char *A=malloc(bytes),*B=malloc(bytes),*C=malloc(bytes);
      for(size_t i=0;i<bytes/4;i++){((float*)A)[i]=(i%7)*0.1f;((float*)B)[i]=(i%5)*0.2f;((float*)C)[i]=0.f;}
      if(r==1||r==3){ for(size_t i=0;i<bytes/8;i++){((double*)A)[i]=(i%7)*0.1;((double*)B)[i]=(i%5)*0.2;((double*)C)[i]=0;} }
      const void *al = (r==0||r==2)?(void*)onef:(void*)one; const void *be=(r==0||r==2)?(void*)betaf:(void*)beta;
      int reps=15, calls=20000; double t[2][15];
      for(int rep=0;rep<reps;rep++) for(int l=0;l<2;l++){
        double t0=now(); for(int c=0;c<calls;c++) f[l]("N","N",&n,&n,&n,al,A,&n,B,&n,be,C,&n,1,1); t[l][rep]=(now()-t0)/calls;
      }
      qsort(t[0],reps,sizeof(double),cmp); qsort(t[1],reps,sizeof(double),cmp);
      printf("%s n=%2d  new %7.1f ns  old %7.1f ns  new/old time %.2f  (speed ratio %.2f)\n",names[r],n,t[0][reps/2],t[1][reps/2],t[0][reps/2]/t[1][reps/2],t[1][reps/2]/t[0][reps/2]);
      free(A);free(B);free(C);
    }
  }
}
