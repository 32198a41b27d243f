/* cblas.h -- C interface to @NAME@ (blastool's BLAS kernels, @VERSION@, target @TARGET@).
   Rendered by `blastool build` from templates/blas/cblas.h. BLAS integers (blasint) are
   @INTEGER_MODEL@; enum arguments are C int. @SYMBOL_NOTE@ */
#ifndef BLASTOOL_CBLAS_H
#define BLASTOOL_CBLAS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BLASTOOL_TARGET "@TARGET@"
/* 1 when blasint is 64-bit (built with --interface64). */
#define BLASTOOL_ILP64 @ILP64@

#ifndef CBLAS_INDEX
#define CBLAS_INDEX size_t
#endif
/* Both headers declare blasint; C99 forbids a second typedef of the same name. */
#ifndef BLASTOOL_BLASINT_DEFINED
#define BLASTOOL_BLASINT_DEFINED
typedef @BLASINT@ blasint;
#endif

typedef enum CBLAS_ORDER { CblasRowMajor = 101, CblasColMajor = 102 } CBLAS_ORDER;
typedef enum CBLAS_TRANSPOSE { CblasNoTrans = 111, CblasTrans = 112, CblasConjTrans = 113, CblasConjNoTrans = 114 } CBLAS_TRANSPOSE;
typedef enum CBLAS_UPLO { CblasUpper = 121, CblasLower = 122 } CBLAS_UPLO;
typedef enum CBLAS_DIAG { CblasNonUnit = 131, CblasUnit = 132 } CBLAS_DIAG;
typedef enum CBLAS_SIDE { CblasLeft = 141, CblasRight = 142 } CBLAS_SIDE;
typedef CBLAS_ORDER CBLAS_LAYOUT;

/* Library lifecycle and configuration (all optional: the library initialises lazily). */
int @PREFIX@blastool_init@SUFFIX@(void);
void @PREFIX@blastool_quit@SUFFIX@(void);
const char *@PREFIX@blastool_get_corename@SUFFIX@(void);
const char *@PREFIX@blastool_get_config@SUFFIX@(void);
void @PREFIX@blastool_set_num_threads@SUFFIX@(int n);
int @PREFIX@blastool_get_num_threads@SUFFIX@(void);
/* OpenBLAS's names for the same two calls, which libblastrampoline (Julia) and other
   forwarders look up to set the thread count of the BLAS they loaded. */
void @PREFIX@openblas_set_num_threads@SUFFIX@(int n);
int @PREFIX@openblas_get_num_threads@SUFFIX@(void);

/* The BLAS routines, generated from the interface table (kernels/interface/table.rs).
   Complex scalars and arrays are passed as void *. */
@CBLAS_FUNCTIONS@

/* Error handler: the library's default is weak; a program's own definition replaces it. */
void @PREFIX@cblas_xerbla@SUFFIX@(blasint p, const char *rout, const char *form, ...);

#ifdef __cplusplus
}
#endif

#endif /* BLASTOOL_CBLAS_H */
