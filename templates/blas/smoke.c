/* Smoke test of an installed blastool BLAS, compiled by `blastool build` against the rendered
   headers and linked once against the static and once against the shared library.
   It multiplies two small matrices through the CBLAS ABI (row-major) and the Fortran ABI
   (column-major) and compares with a naive product; exit 0 only if every element matches. */
#include <math.h>
#include <stdio.h>
#include "cblas.h"
#include "f77blas.h"

#define M 7
#define N 5
#define K 9

static int check(const char *what, const double *got, const double *want, int n) {
    for (int i = 0; i < n; i++) {
        if (fabs(got[i] - want[i]) > 1e-12 * (1.0 + fabs(want[i]))) {
            fprintf(stderr, "smoke: %s: element %d is %g, expected %g\n", what, i, got[i], want[i]);
            return 1;
        }
    }
    return 0;
}

int main(void) {
    double a[M * K], b[K * N], c[M * N], want[M * N];
    /* Row-major A (M x K) and B (K x N) with values that are exact in binary. */
    for (int i = 0; i < M * K; i++) a[i] = (double)((i * 7) % 11) - 5.0;
    for (int i = 0; i < K * N; i++) b[i] = (double)((i * 5) % 13) * 0.5 - 3.0;
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
            double s = 0.0;
            for (int p = 0; p < K; p++) s += a[i * K + p] * b[p * N + j];
            want[i * N + j] = 2.0 * s + 1.0; /* alpha = 2, beta = 1, C starts at 1 */
        }

    for (int i = 0; i < M * N; i++) c[i] = 1.0;
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, N, K, 2.0, a, K, b, N, 1.0, c, N);
    if (check("cblas_dgemm", c, want, M * N)) return 1;

    /* The same product through the Fortran ABI: row-major C = A B is column-major C^T = B^T A^T,
       so pass B as the first operand with the dimensions swapped. */
    const blasint m = N, n = M, k = K, ldb = N, lda = K, ldc = N;
    const double alpha = 2.0, beta = 1.0;
    for (int i = 0; i < M * N; i++) c[i] = 1.0;
    dgemm_("N", "N", &m, &n, &k, &alpha, b, &ldb, a, &lda, &beta, c, &ldc);
    if (check("dgemm_", c, want, M * N)) return 1;

    const double x[3] = {1.0, 2.0, 3.0};
    const blasint three = 3, one = 1;
    if (ddot_(&three, x, &one, x, &one) != 14.0) {
        fprintf(stderr, "smoke: ddot_ is wrong\n");
        return 1;
    }
    printf("smoke ok: core=%s\nconfig: %s\n", blastool_get_corename(), blastool_get_config());
    blastool_quit();
    return 0;
}
