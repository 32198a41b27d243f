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

/* Both headers declare blasint; C99 forbids a second typedef of the same name. */
#ifndef BLASTOOL_BLASINT_DEFINED
#define BLASTOOL_BLASINT_DEFINED
typedef @BLASINT@ blasint;
#endif
/* Layout- and return-compatible with Fortran COMPLEX / COMPLEX*16 and C99 _Complex. */
typedef struct { float real, imag; } blastool_complex_float;
typedef struct { double real, imag; } blastool_complex_double;

/* The BLAS routines, generated from the interface table (kernels/interface/table.rs).
   Complex arrays and scalars are passed as void * (interleaved real, imaginary pairs). */
@F77_FUNCTIONS@

/* Utilities and the error handler (weak in the library: a program's own xerbla_ wins). */
blasint @PREFIX@lsame_@SUFFIX@(const char *ca, const char *cb);
void @PREFIX@xerbla_@SUFFIX@(const char *srname, const blasint *info, ...);
void @PREFIX@xerbla_array_@SUFFIX@(const char *srname, const blasint *srname_len, const blasint *info);

#ifdef __cplusplus
}
#endif

#endif /* BLASTOOL_F77BLAS_H */
