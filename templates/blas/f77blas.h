/* f77blas.h -- Fortran-77 ABI of @NAME@ (blastool's BLAS kernels, @VERSION@, target @TARGET@).
   Rendered by `blastool build` from templates/blas/f77blas.h. Every argument is passed by
   reference; integers (blasint) are @INTEGER_MODEL@. CHARACTER arguments are single
   characters; the hidden length arguments Fortran compilers append are accepted but not
   required from C.
   @SYMBOL_NOTE@ */
#ifndef BLASTOOL_F77BLAS_H
#define BLASTOOL_F77BLAS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef @BLASINT@ blasint;
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

/* Levels 2 and 3, one block per precision; complex arguments are passed as void *. */

/* Levels 2 and 3: single */
void sgemv_(const char *trans, const blasint *m, const blasint *n, const float *alpha, const float *a, const blasint *lda, const float *x, const blasint *incx, const float *beta, float *y, const blasint *incy);
void sgbmv_(const char *trans, const blasint *m, const blasint *n, const blasint *kl, const blasint *ku, const float *alpha, const float *a, const blasint *lda, const float *x, const blasint *incx, const float *beta, float *y, const blasint *incy);
void ssymv_(const char *uplo, const blasint *n, const float *alpha, const float *a, const blasint *lda, const float *x, const blasint *incx, const float *beta, float *y, const blasint *incy);
void ssbmv_(const char *uplo, const blasint *n, const blasint *k, const float *alpha, const float *a, const blasint *lda, const float *x, const blasint *incx, const float *beta, float *y, const blasint *incy);
void sspmv_(const char *uplo, const blasint *n, const float *alpha, const float *ap, const float *x, const blasint *incx, const float *beta, float *y, const blasint *incy);
void strmv_(const char *uplo, const char *trans, const char *diag, const blasint *n, const float *a, const blasint *lda, float *x, const blasint *incx);
void stbmv_(const char *uplo, const char *trans, const char *diag, const blasint *n, const blasint *k, const float *a, const blasint *lda, float *x, const blasint *incx);
void stpmv_(const char *uplo, const char *trans, const char *diag, const blasint *n, const float *ap, float *x, const blasint *incx);
void strsv_(const char *uplo, const char *trans, const char *diag, const blasint *n, const float *a, const blasint *lda, float *x, const blasint *incx);
void stbsv_(const char *uplo, const char *trans, const char *diag, const blasint *n, const blasint *k, const float *a, const blasint *lda, float *x, const blasint *incx);
void stpsv_(const char *uplo, const char *trans, const char *diag, const blasint *n, const float *ap, float *x, const blasint *incx);
void sger_(const blasint *m, const blasint *n, const float *alpha, const float *x, const blasint *incx, const float *y, const blasint *incy, float *a, const blasint *lda);
void ssyr_(const char *uplo, const blasint *n, const float *alpha, const float *x, const blasint *incx, float *a, const blasint *lda);
void sspr_(const char *uplo, const blasint *n, const float *alpha, const float *x, const blasint *incx, float *ap);
void ssyr2_(const char *uplo, const blasint *n, const float *alpha, const float *x, const blasint *incx, const float *y, const blasint *incy, float *a, const blasint *lda);
void sspr2_(const char *uplo, const blasint *n, const float *alpha, const float *x, const blasint *incx, const float *y, const blasint *incy, float *ap);
void sgemm_(const char *transa, const char *transb, const blasint *m, const blasint *n, const blasint *k, const float *alpha, const float *a, const blasint *lda, const float *b, const blasint *ldb, const float *beta, float *c, const blasint *ldc);
void ssymm_(const char *side, const char *uplo, const blasint *m, const blasint *n, const float *alpha, const float *a, const blasint *lda, const float *b, const blasint *ldb, const float *beta, float *c, const blasint *ldc);
void ssyrk_(const char *uplo, const char *trans, const blasint *n, const blasint *k, const float *alpha, const float *a, const blasint *lda, const float *beta, float *c, const blasint *ldc);
void ssyr2k_(const char *uplo, const char *trans, const blasint *n, const blasint *k, const float *alpha, const float *a, const blasint *lda, const float *b, const blasint *ldb, const float *beta, float *c, const blasint *ldc);
void strmm_(const char *side, const char *uplo, const char *transa, const char *diag, const blasint *m, const blasint *n, const float *alpha, const float *a, const blasint *lda, float *b, const blasint *ldb);
void strsm_(const char *side, const char *uplo, const char *transa, const char *diag, const blasint *m, const blasint *n, const float *alpha, const float *a, const blasint *lda, float *b, const blasint *ldb);

/* Levels 2 and 3: double */
void dgemv_(const char *trans, const blasint *m, const blasint *n, const double *alpha, const double *a, const blasint *lda, const double *x, const blasint *incx, const double *beta, double *y, const blasint *incy);
void dgbmv_(const char *trans, const blasint *m, const blasint *n, const blasint *kl, const blasint *ku, const double *alpha, const double *a, const blasint *lda, const double *x, const blasint *incx, const double *beta, double *y, const blasint *incy);
void dsymv_(const char *uplo, const blasint *n, const double *alpha, const double *a, const blasint *lda, const double *x, const blasint *incx, const double *beta, double *y, const blasint *incy);
void dsbmv_(const char *uplo, const blasint *n, const blasint *k, const double *alpha, const double *a, const blasint *lda, const double *x, const blasint *incx, const double *beta, double *y, const blasint *incy);
void dspmv_(const char *uplo, const blasint *n, const double *alpha, const double *ap, const double *x, const blasint *incx, const double *beta, double *y, const blasint *incy);
void dtrmv_(const char *uplo, const char *trans, const char *diag, const blasint *n, const double *a, const blasint *lda, double *x, const blasint *incx);
void dtbmv_(const char *uplo, const char *trans, const char *diag, const blasint *n, const blasint *k, const double *a, const blasint *lda, double *x, const blasint *incx);
void dtpmv_(const char *uplo, const char *trans, const char *diag, const blasint *n, const double *ap, double *x, const blasint *incx);
void dtrsv_(const char *uplo, const char *trans, const char *diag, const blasint *n, const double *a, const blasint *lda, double *x, const blasint *incx);
void dtbsv_(const char *uplo, const char *trans, const char *diag, const blasint *n, const blasint *k, const double *a, const blasint *lda, double *x, const blasint *incx);
void dtpsv_(const char *uplo, const char *trans, const char *diag, const blasint *n, const double *ap, double *x, const blasint *incx);
void dger_(const blasint *m, const blasint *n, const double *alpha, const double *x, const blasint *incx, const double *y, const blasint *incy, double *a, const blasint *lda);
void dsyr_(const char *uplo, const blasint *n, const double *alpha, const double *x, const blasint *incx, double *a, const blasint *lda);
void dspr_(const char *uplo, const blasint *n, const double *alpha, const double *x, const blasint *incx, double *ap);
void dsyr2_(const char *uplo, const blasint *n, const double *alpha, const double *x, const blasint *incx, const double *y, const blasint *incy, double *a, const blasint *lda);
void dspr2_(const char *uplo, const blasint *n, const double *alpha, const double *x, const blasint *incx, const double *y, const blasint *incy, double *ap);
void dgemm_(const char *transa, const char *transb, const blasint *m, const blasint *n, const blasint *k, const double *alpha, const double *a, const blasint *lda, const double *b, const blasint *ldb, const double *beta, double *c, const blasint *ldc);
void dsymm_(const char *side, const char *uplo, const blasint *m, const blasint *n, const double *alpha, const double *a, const blasint *lda, const double *b, const blasint *ldb, const double *beta, double *c, const blasint *ldc);
void dsyrk_(const char *uplo, const char *trans, const blasint *n, const blasint *k, const double *alpha, const double *a, const blasint *lda, const double *beta, double *c, const blasint *ldc);
void dsyr2k_(const char *uplo, const char *trans, const blasint *n, const blasint *k, const double *alpha, const double *a, const blasint *lda, const double *b, const blasint *ldb, const double *beta, double *c, const blasint *ldc);
void dtrmm_(const char *side, const char *uplo, const char *transa, const char *diag, const blasint *m, const blasint *n, const double *alpha, const double *a, const blasint *lda, double *b, const blasint *ldb);
void dtrsm_(const char *side, const char *uplo, const char *transa, const char *diag, const blasint *m, const blasint *n, const double *alpha, const double *a, const blasint *lda, double *b, const blasint *ldb);

/* Levels 2 and 3: single complex */
void cgemv_(const char *trans, const blasint *m, const blasint *n, const void *alpha, const void *a, const blasint *lda, const void *x, const blasint *incx, const void *beta, void *y, const blasint *incy);
void cgbmv_(const char *trans, const blasint *m, const blasint *n, const blasint *kl, const blasint *ku, const void *alpha, const void *a, const blasint *lda, const void *x, const blasint *incx, const void *beta, void *y, const blasint *incy);
void chemv_(const char *uplo, const blasint *n, const void *alpha, const void *a, const blasint *lda, const void *x, const blasint *incx, const void *beta, void *y, const blasint *incy);
void chbmv_(const char *uplo, const blasint *n, const blasint *k, const void *alpha, const void *a, const blasint *lda, const void *x, const blasint *incx, const void *beta, void *y, const blasint *incy);
void chpmv_(const char *uplo, const blasint *n, const void *alpha, const void *ap, const void *x, const blasint *incx, const void *beta, void *y, const blasint *incy);
void ctrmv_(const char *uplo, const char *trans, const char *diag, const blasint *n, const void *a, const blasint *lda, void *x, const blasint *incx);
void ctbmv_(const char *uplo, const char *trans, const char *diag, const blasint *n, const blasint *k, const void *a, const blasint *lda, void *x, const blasint *incx);
void ctpmv_(const char *uplo, const char *trans, const char *diag, const blasint *n, const void *ap, void *x, const blasint *incx);
void ctrsv_(const char *uplo, const char *trans, const char *diag, const blasint *n, const void *a, const blasint *lda, void *x, const blasint *incx);
void ctbsv_(const char *uplo, const char *trans, const char *diag, const blasint *n, const blasint *k, const void *a, const blasint *lda, void *x, const blasint *incx);
void ctpsv_(const char *uplo, const char *trans, const char *diag, const blasint *n, const void *ap, void *x, const blasint *incx);
void cgeru_(const blasint *m, const blasint *n, const void *alpha, const void *x, const blasint *incx, const void *y, const blasint *incy, void *a, const blasint *lda);
void cgerc_(const blasint *m, const blasint *n, const void *alpha, const void *x, const blasint *incx, const void *y, const blasint *incy, void *a, const blasint *lda);
void cher_(const char *uplo, const blasint *n, const float *alpha, const void *x, const blasint *incx, void *a, const blasint *lda);
void chpr_(const char *uplo, const blasint *n, const float *alpha, const void *x, const blasint *incx, void *ap);
void cher2_(const char *uplo, const blasint *n, const void *alpha, const void *x, const blasint *incx, const void *y, const blasint *incy, void *a, const blasint *lda);
void chpr2_(const char *uplo, const blasint *n, const void *alpha, const void *x, const blasint *incx, const void *y, const blasint *incy, void *ap);
void cgemm_(const char *transa, const char *transb, const blasint *m, const blasint *n, const blasint *k, const void *alpha, const void *a, const blasint *lda, const void *b, const blasint *ldb, const void *beta, void *c, const blasint *ldc);
void csymm_(const char *side, const char *uplo, const blasint *m, const blasint *n, const void *alpha, const void *a, const blasint *lda, const void *b, const blasint *ldb, const void *beta, void *c, const blasint *ldc);
void chemm_(const char *side, const char *uplo, const blasint *m, const blasint *n, const void *alpha, const void *a, const blasint *lda, const void *b, const blasint *ldb, const void *beta, void *c, const blasint *ldc);
void csyrk_(const char *uplo, const char *trans, const blasint *n, const blasint *k, const void *alpha, const void *a, const blasint *lda, const void *beta, void *c, const blasint *ldc);
void cherk_(const char *uplo, const char *trans, const blasint *n, const blasint *k, const float *alpha, const void *a, const blasint *lda, const float *beta, void *c, const blasint *ldc);
void csyr2k_(const char *uplo, const char *trans, const blasint *n, const blasint *k, const void *alpha, const void *a, const blasint *lda, const void *b, const blasint *ldb, const void *beta, void *c, const blasint *ldc);
void cher2k_(const char *uplo, const char *trans, const blasint *n, const blasint *k, const void *alpha, const void *a, const blasint *lda, const void *b, const blasint *ldb, const float *beta, void *c, const blasint *ldc);
void ctrmm_(const char *side, const char *uplo, const char *transa, const char *diag, const blasint *m, const blasint *n, const void *alpha, const void *a, const blasint *lda, void *b, const blasint *ldb);
void ctrsm_(const char *side, const char *uplo, const char *transa, const char *diag, const blasint *m, const blasint *n, const void *alpha, const void *a, const blasint *lda, void *b, const blasint *ldb);

/* Levels 2 and 3: double complex */
void zgemv_(const char *trans, const blasint *m, const blasint *n, const void *alpha, const void *a, const blasint *lda, const void *x, const blasint *incx, const void *beta, void *y, const blasint *incy);
void zgbmv_(const char *trans, const blasint *m, const blasint *n, const blasint *kl, const blasint *ku, const void *alpha, const void *a, const blasint *lda, const void *x, const blasint *incx, const void *beta, void *y, const blasint *incy);
void zhemv_(const char *uplo, const blasint *n, const void *alpha, const void *a, const blasint *lda, const void *x, const blasint *incx, const void *beta, void *y, const blasint *incy);
void zhbmv_(const char *uplo, const blasint *n, const blasint *k, const void *alpha, const void *a, const blasint *lda, const void *x, const blasint *incx, const void *beta, void *y, const blasint *incy);
void zhpmv_(const char *uplo, const blasint *n, const void *alpha, const void *ap, const void *x, const blasint *incx, const void *beta, void *y, const blasint *incy);
void ztrmv_(const char *uplo, const char *trans, const char *diag, const blasint *n, const void *a, const blasint *lda, void *x, const blasint *incx);
void ztbmv_(const char *uplo, const char *trans, const char *diag, const blasint *n, const blasint *k, const void *a, const blasint *lda, void *x, const blasint *incx);
void ztpmv_(const char *uplo, const char *trans, const char *diag, const blasint *n, const void *ap, void *x, const blasint *incx);
void ztrsv_(const char *uplo, const char *trans, const char *diag, const blasint *n, const void *a, const blasint *lda, void *x, const blasint *incx);
void ztbsv_(const char *uplo, const char *trans, const char *diag, const blasint *n, const blasint *k, const void *a, const blasint *lda, void *x, const blasint *incx);
void ztpsv_(const char *uplo, const char *trans, const char *diag, const blasint *n, const void *ap, void *x, const blasint *incx);
void zgeru_(const blasint *m, const blasint *n, const void *alpha, const void *x, const blasint *incx, const void *y, const blasint *incy, void *a, const blasint *lda);
void zgerc_(const blasint *m, const blasint *n, const void *alpha, const void *x, const blasint *incx, const void *y, const blasint *incy, void *a, const blasint *lda);
void zher_(const char *uplo, const blasint *n, const double *alpha, const void *x, const blasint *incx, void *a, const blasint *lda);
void zhpr_(const char *uplo, const blasint *n, const double *alpha, const void *x, const blasint *incx, void *ap);
void zher2_(const char *uplo, const blasint *n, const void *alpha, const void *x, const blasint *incx, const void *y, const blasint *incy, void *a, const blasint *lda);
void zhpr2_(const char *uplo, const blasint *n, const void *alpha, const void *x, const blasint *incx, const void *y, const blasint *incy, void *ap);
void zgemm_(const char *transa, const char *transb, const blasint *m, const blasint *n, const blasint *k, const void *alpha, const void *a, const blasint *lda, const void *b, const blasint *ldb, const void *beta, void *c, const blasint *ldc);
void zsymm_(const char *side, const char *uplo, const blasint *m, const blasint *n, const void *alpha, const void *a, const blasint *lda, const void *b, const blasint *ldb, const void *beta, void *c, const blasint *ldc);
void zhemm_(const char *side, const char *uplo, const blasint *m, const blasint *n, const void *alpha, const void *a, const blasint *lda, const void *b, const blasint *ldb, const void *beta, void *c, const blasint *ldc);
void zsyrk_(const char *uplo, const char *trans, const blasint *n, const blasint *k, const void *alpha, const void *a, const blasint *lda, const void *beta, void *c, const blasint *ldc);
void zherk_(const char *uplo, const char *trans, const blasint *n, const blasint *k, const double *alpha, const void *a, const blasint *lda, const double *beta, void *c, const blasint *ldc);
void zsyr2k_(const char *uplo, const char *trans, const blasint *n, const blasint *k, const void *alpha, const void *a, const blasint *lda, const void *b, const blasint *ldb, const void *beta, void *c, const blasint *ldc);
void zher2k_(const char *uplo, const char *trans, const blasint *n, const blasint *k, const void *alpha, const void *a, const blasint *lda, const void *b, const blasint *ldb, const double *beta, void *c, const blasint *ldc);
void ztrmm_(const char *side, const char *uplo, const char *transa, const char *diag, const blasint *m, const blasint *n, const void *alpha, const void *a, const blasint *lda, void *b, const blasint *ldb);
void ztrsm_(const char *side, const char *uplo, const char *transa, const char *diag, const blasint *m, const blasint *n, const void *alpha, const void *a, const blasint *lda, void *b, const blasint *ldb);

/* Utilities and the error handler (weak in the library: a program's own xerbla_ wins). */
blasint lsame_(const char *ca, const char *cb);
void xerbla_(const char *srname, const blasint *info, ...);
void xerbla_array_(const char *srname, const blasint *srname_len, const blasint *info);

#ifdef __cplusplus
}
#endif

#endif /* BLASTOOL_F77BLAS_H */
