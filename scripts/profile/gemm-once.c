/* One single-threaded GEMM call through the CBLAS ABI of a library opened with dlopen, for
   instruction counting under callgrind (scripts/callgrind-gemm.sh). Usage:
   gemm-once LIBRARY dgemm|sgemm|zgemm N */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
typedef void (*dg)(int,int,int,int,int,int,double,const double*,int,const double*,int,double,double*,int);
typedef void (*sg)(int,int,int,int,int,int,float,const float*,int,const float*,int,float,float*,int);
typedef void (*zg)(int,int,int,int,int,int,const void*,const void*,int,const void*,int,const void*,void*,int);
int main(int argc, char **argv) {
    void *h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!h) { fprintf(stderr, "%s\n", dlerror()); return 2; }
    const char *r = argv[2]; int n = atoi(argv[3]);
    void (*set)(int) = (void(*)(int))dlsym(h, "openblas_set_num_threads");
    if (!set) set = (void(*)(int))dlsym(h, "blastool_set_num_threads");
    if (set) set(1);
    size_t len = (size_t)n * n * 2;
    double *a = calloc(len, 8), *b = calloc(len, 8), *c = calloc(len, 8);
    for (size_t i = 0; i < len; i++) { a[i] = (double)(i % 7) - 3; b[i] = (double)(i % 5) - 2; }
    double alpha[2] = {1, 0}, beta[2] = {0, 0};
    if (!strcmp(r, "dgemm")) ((dg)dlsym(h, "cblas_dgemm"))(102,111,111,n,n,n,1.0,a,n,b,n,0.0,c,n);
    else if (!strcmp(r, "sgemm")) ((sg)dlsym(h, "cblas_sgemm"))(102,111,111,n,n,n,1.0f,(float*)a,n,(float*)b,n,0.0f,(float*)c,n);
    else ((zg)dlsym(h, "cblas_zgemm"))(102,111,111,n,n,n,alpha,a,n,b,n,beta,c,n);
    printf("%g\n", c[0]);
    return 0;
}
