/* f77blas.h -- Fortran-77 ABI of @NAME@ (blastool's BLAS kernels, @VERSION@, target @TARGET@).
   Rendered by `blastool build` from templates/blas/f77blas.h. Every argument is passed by
   reference; integers are 32-bit (LP64). CHARACTER arguments are single characters; the hidden
   length arguments Fortran compilers append are accepted but not required from C. */
#ifndef BLASTOOL_F77BLAS_H
#define BLASTOOL_F77BLAS_H

#ifdef __cplusplus
extern "C" {
#endif

typedef int blasint;
/* Layout- and return-compatible with Fortran COMPLEX / COMPLEX*16 and C99 _Complex. */
typedef struct { float real, imag; } blastool_complex_float;
typedef struct { double real, imag; } blastool_complex_double;

/* Level 1: real */
void srotg_(float *a, float *b, float *c, float *s);
void drotg_(double *a, double *b, double *c, double *s);
void srotmg_(float *d1, float *d2, float *x1, const float *y1, float *param);
void drotmg_(double *d1, double *d2, double *x1, const double *y1, double *param);
void srot_(const blasint *n, float *x, const blasint *incx, float *y, const blasint *incy, const float *c, const float *s);
void drot_(const blasint *n, double *x, const blasint *incx, double *y, const blasint *incy, const double *c, const double *s);
void srotm_(const blasint *n, float *x, const blasint *incx, float *y, const blasint *incy, const float *param);
void drotm_(const blasint *n, double *x, const blasint *incx, double *y, const blasint *incy, const double *param);
void sswap_(const blasint *n, float *x, const blasint *incx, float *y, const blasint *incy);
void dswap_(const blasint *n, double *x, const blasint *incx, double *y, const blasint *incy);
void sscal_(const blasint *n, const float *alpha, float *x, const blasint *incx);
void dscal_(const blasint *n, const double *alpha, double *x, const blasint *incx);
void scopy_(const blasint *n, const float *x, const blasint *incx, float *y, const blasint *incy);
void dcopy_(const blasint *n, const double *x, const blasint *incx, double *y, const blasint *incy);
void saxpy_(const blasint *n, const float *alpha, const float *x, const blasint *incx, float *y, const blasint *incy);
void daxpy_(const blasint *n, const double *alpha, const double *x, const blasint *incx, double *y, const blasint *incy);
float sdot_(const blasint *n, const float *x, const blasint *incx, const float *y, const blasint *incy);
double ddot_(const blasint *n, const double *x, const blasint *incx, const double *y, const blasint *incy);
float sdsdot_(const blasint *n, const float *sb, const float *x, const blasint *incx, const float *y, const blasint *incy);
double dsdot_(const blasint *n, const float *x, const blasint *incx, const float *y, const blasint *incy);
float snrm2_(const blasint *n, const float *x, const blasint *incx);
double dnrm2_(const blasint *n, const double *x, const blasint *incx);
float sasum_(const blasint *n, const float *x, const blasint *incx);
double dasum_(const blasint *n, const double *x, const blasint *incx);
blasint isamax_(const blasint *n, const float *x, const blasint *incx);
blasint idamax_(const blasint *n, const double *x, const blasint *incx);

/* Level 1: complex (arrays of interleaved real, imaginary pairs) */
void crotg_(void *a, const void *b, float *c, void *s);
void zrotg_(void *a, const void *b, double *c, void *s);
void csrot_(const blasint *n, void *x, const blasint *incx, void *y, const blasint *incy, const float *c, const float *s);
void zdrot_(const blasint *n, void *x, const blasint *incx, void *y, const blasint *incy, const double *c, const double *s);
void cswap_(const blasint *n, void *x, const blasint *incx, void *y, const blasint *incy);
void zswap_(const blasint *n, void *x, const blasint *incx, void *y, const blasint *incy);
void cscal_(const blasint *n, const void *alpha, void *x, const blasint *incx);
void zscal_(const blasint *n, const void *alpha, void *x, const blasint *incx);
void csscal_(const blasint *n, const float *alpha, void *x, const blasint *incx);
void zdscal_(const blasint *n, const double *alpha, void *x, const blasint *incx);
void ccopy_(const blasint *n, const void *x, const blasint *incx, void *y, const blasint *incy);
void zcopy_(const blasint *n, const void *x, const blasint *incx, void *y, const blasint *incy);
void caxpy_(const blasint *n, const void *alpha, const void *x, const blasint *incx, void *y, const blasint *incy);
void zaxpy_(const blasint *n, const void *alpha, const void *x, const blasint *incx, void *y, const blasint *incy);
blastool_complex_float cdotu_(const blasint *n, const void *x, const blasint *incx, const void *y, const blasint *incy);
blastool_complex_float cdotc_(const blasint *n, const void *x, const blasint *incx, const void *y, const blasint *incy);
blastool_complex_double zdotu_(const blasint *n, const void *x, const blasint *incx, const void *y, const blasint *incy);
blastool_complex_double zdotc_(const blasint *n, const void *x, const blasint *incx, const void *y, const blasint *incy);
float scnrm2_(const blasint *n, const void *x, const blasint *incx);
double dznrm2_(const blasint *n, const void *x, const blasint *incx);
float scasum_(const blasint *n, const void *x, const blasint *incx);
double dzasum_(const blasint *n, const void *x, const blasint *incx);
blasint icamax_(const blasint *n, const void *x, const blasint *incx);
blasint izamax_(const blasint *n, const void *x, const blasint *incx);
float scabs1_(const void *c);
double dcabs1_(const void *z);

/* Level 2 and 3, one block per precision: S = float, D = double, C / Z = complex (void *). */
#define BLASTOOL_F77_REAL(P, T) \
void P##gemv_(const char *trans, const blasint *m, const blasint *n, const T *alpha, const T *a, const blasint *lda, const T *x, const blasint *incx, const T *beta, T *y, const blasint *incy); \
void P##gbmv_(const char *trans, const blasint *m, const blasint *n, const blasint *kl, const blasint *ku, const T *alpha, const T *a, const blasint *lda, const T *x, const blasint *incx, const T *beta, T *y, const blasint *incy); \
void P##symv_(const char *uplo, const blasint *n, const T *alpha, const T *a, const blasint *lda, const T *x, const blasint *incx, const T *beta, T *y, const blasint *incy); \
void P##sbmv_(const char *uplo, const blasint *n, const blasint *k, const T *alpha, const T *a, const blasint *lda, const T *x, const blasint *incx, const T *beta, T *y, const blasint *incy); \
void P##spmv_(const char *uplo, const blasint *n, const T *alpha, const T *ap, const T *x, const blasint *incx, const T *beta, T *y, const blasint *incy); \
void P##trmv_(const char *uplo, const char *trans, const char *diag, const blasint *n, const T *a, const blasint *lda, T *x, const blasint *incx); \
void P##tbmv_(const char *uplo, const char *trans, const char *diag, const blasint *n, const blasint *k, const T *a, const blasint *lda, T *x, const blasint *incx); \
void P##tpmv_(const char *uplo, const char *trans, const char *diag, const blasint *n, const T *ap, T *x, const blasint *incx); \
void P##trsv_(const char *uplo, const char *trans, const char *diag, const blasint *n, const T *a, const blasint *lda, T *x, const blasint *incx); \
void P##tbsv_(const char *uplo, const char *trans, const char *diag, const blasint *n, const blasint *k, const T *a, const blasint *lda, T *x, const blasint *incx); \
void P##tpsv_(const char *uplo, const char *trans, const char *diag, const blasint *n, const T *ap, T *x, const blasint *incx); \
void P##ger_(const blasint *m, const blasint *n, const T *alpha, const T *x, const blasint *incx, const T *y, const blasint *incy, T *a, const blasint *lda); \
void P##syr_(const char *uplo, const blasint *n, const T *alpha, const T *x, const blasint *incx, T *a, const blasint *lda); \
void P##spr_(const char *uplo, const blasint *n, const T *alpha, const T *x, const blasint *incx, T *ap); \
void P##syr2_(const char *uplo, const blasint *n, const T *alpha, const T *x, const blasint *incx, const T *y, const blasint *incy, T *a, const blasint *lda); \
void P##spr2_(const char *uplo, const blasint *n, const T *alpha, const T *x, const blasint *incx, const T *y, const blasint *incy, T *ap); \
void P##gemm_(const char *transa, const char *transb, const blasint *m, const blasint *n, const blasint *k, const T *alpha, const T *a, const blasint *lda, const T *b, const blasint *ldb, const T *beta, T *c, const blasint *ldc); \
void P##symm_(const char *side, const char *uplo, const blasint *m, const blasint *n, const T *alpha, const T *a, const blasint *lda, const T *b, const blasint *ldb, const T *beta, T *c, const blasint *ldc); \
void P##syrk_(const char *uplo, const char *trans, const blasint *n, const blasint *k, const T *alpha, const T *a, const blasint *lda, const T *beta, T *c, const blasint *ldc); \
void P##syr2k_(const char *uplo, const char *trans, const blasint *n, const blasint *k, const T *alpha, const T *a, const blasint *lda, const T *b, const blasint *ldb, const T *beta, T *c, const blasint *ldc); \
void P##trmm_(const char *side, const char *uplo, const char *transa, const char *diag, const blasint *m, const blasint *n, const T *alpha, const T *a, const blasint *lda, T *b, const blasint *ldb); \
void P##trsm_(const char *side, const char *uplo, const char *transa, const char *diag, const blasint *m, const blasint *n, const T *alpha, const T *a, const blasint *lda, T *b, const blasint *ldb);

#define BLASTOOL_F77_COMPLEX(P, R) \
void P##gemv_(const char *trans, const blasint *m, const blasint *n, const void *alpha, const void *a, const blasint *lda, const void *x, const blasint *incx, const void *beta, void *y, const blasint *incy); \
void P##gbmv_(const char *trans, const blasint *m, const blasint *n, const blasint *kl, const blasint *ku, const void *alpha, const void *a, const blasint *lda, const void *x, const blasint *incx, const void *beta, void *y, const blasint *incy); \
void P##hemv_(const char *uplo, const blasint *n, const void *alpha, const void *a, const blasint *lda, const void *x, const blasint *incx, const void *beta, void *y, const blasint *incy); \
void P##hbmv_(const char *uplo, const blasint *n, const blasint *k, const void *alpha, const void *a, const blasint *lda, const void *x, const blasint *incx, const void *beta, void *y, const blasint *incy); \
void P##hpmv_(const char *uplo, const blasint *n, const void *alpha, const void *ap, const void *x, const blasint *incx, const void *beta, void *y, const blasint *incy); \
void P##trmv_(const char *uplo, const char *trans, const char *diag, const blasint *n, const void *a, const blasint *lda, void *x, const blasint *incx); \
void P##tbmv_(const char *uplo, const char *trans, const char *diag, const blasint *n, const blasint *k, const void *a, const blasint *lda, void *x, const blasint *incx); \
void P##tpmv_(const char *uplo, const char *trans, const char *diag, const blasint *n, const void *ap, void *x, const blasint *incx); \
void P##trsv_(const char *uplo, const char *trans, const char *diag, const blasint *n, const void *a, const blasint *lda, void *x, const blasint *incx); \
void P##tbsv_(const char *uplo, const char *trans, const char *diag, const blasint *n, const blasint *k, const void *a, const blasint *lda, void *x, const blasint *incx); \
void P##tpsv_(const char *uplo, const char *trans, const char *diag, const blasint *n, const void *ap, void *x, const blasint *incx); \
void P##geru_(const blasint *m, const blasint *n, const void *alpha, const void *x, const blasint *incx, const void *y, const blasint *incy, void *a, const blasint *lda); \
void P##gerc_(const blasint *m, const blasint *n, const void *alpha, const void *x, const blasint *incx, const void *y, const blasint *incy, void *a, const blasint *lda); \
void P##her_(const char *uplo, const blasint *n, const R *alpha, const void *x, const blasint *incx, void *a, const blasint *lda); \
void P##hpr_(const char *uplo, const blasint *n, const R *alpha, const void *x, const blasint *incx, void *ap); \
void P##her2_(const char *uplo, const blasint *n, const void *alpha, const void *x, const blasint *incx, const void *y, const blasint *incy, void *a, const blasint *lda); \
void P##hpr2_(const char *uplo, const blasint *n, const void *alpha, const void *x, const blasint *incx, const void *y, const blasint *incy, void *ap); \
void P##gemm_(const char *transa, const char *transb, const blasint *m, const blasint *n, const blasint *k, const void *alpha, const void *a, const blasint *lda, const void *b, const blasint *ldb, const void *beta, void *c, const blasint *ldc); \
void P##symm_(const char *side, const char *uplo, const blasint *m, const blasint *n, const void *alpha, const void *a, const blasint *lda, const void *b, const blasint *ldb, const void *beta, void *c, const blasint *ldc); \
void P##hemm_(const char *side, const char *uplo, const blasint *m, const blasint *n, const void *alpha, const void *a, const blasint *lda, const void *b, const blasint *ldb, const void *beta, void *c, const blasint *ldc); \
void P##syrk_(const char *uplo, const char *trans, const blasint *n, const blasint *k, const void *alpha, const void *a, const blasint *lda, const void *beta, void *c, const blasint *ldc); \
void P##herk_(const char *uplo, const char *trans, const blasint *n, const blasint *k, const R *alpha, const void *a, const blasint *lda, const R *beta, void *c, const blasint *ldc); \
void P##syr2k_(const char *uplo, const char *trans, const blasint *n, const blasint *k, const void *alpha, const void *a, const blasint *lda, const void *b, const blasint *ldb, const void *beta, void *c, const blasint *ldc); \
void P##her2k_(const char *uplo, const char *trans, const blasint *n, const blasint *k, const void *alpha, const void *a, const blasint *lda, const void *b, const blasint *ldb, const R *beta, void *c, const blasint *ldc); \
void P##trmm_(const char *side, const char *uplo, const char *transa, const char *diag, const blasint *m, const blasint *n, const void *alpha, const void *a, const blasint *lda, void *b, const blasint *ldb); \
void P##trsm_(const char *side, const char *uplo, const char *transa, const char *diag, const blasint *m, const blasint *n, const void *alpha, const void *a, const blasint *lda, void *b, const blasint *ldb);

BLASTOOL_F77_REAL(s, float)
BLASTOOL_F77_REAL(d, double)
BLASTOOL_F77_COMPLEX(c, float)
BLASTOOL_F77_COMPLEX(z, double)
#undef BLASTOOL_F77_REAL
#undef BLASTOOL_F77_COMPLEX

/* Utilities and the error handler (weak in the library: a program's own xerbla_ wins). */
blasint lsame_(const char *ca, const char *cb);
void xerbla_(const char *srname, const blasint *info, ...);
void xerbla_array_(const char *srname, const blasint *srname_len, const blasint *info);

#ifdef __cplusplus
}
#endif

#endif /* BLASTOOL_F77BLAS_H */
