//! blastool's BLAS: levels 1-3 in single, double, complex and double complex, exported with the
//! Fortran-77 ABI (`dgemm_`) and the CBLAS ABI (`cblas_dgemm`), std only.
//!
//! Layout (BLIS model): `gemm` is the generic framework (blocking loops, packing, edges) with
//! per-architecture microkernel tables (`gemm::generic`, `gemm::haswell`, `gemm::skylakex`);
//! `arch` picks a table at run time (CPUID, `BLASTOOL_CORETYPE`) and owns the lifecycle API;
//! `level1`/`level2`/`level3` are the routines with reference semantics; `fortran` and `cblas`
//! are the exported ABIs; `xerbla` owns error reporting and the reference CBLAS globals.
//!
//! Lifecycle: there is no constructor. Everything initialises lazily on first use;
//! `blastool_init()` and `blastool_quit()` are optional, idempotent and may be called any number
//! of times (a program loading the static library inside its own DLL calls `blastool_quit`
//! before unloading). Large GEMM-based products use threads scoped to the call
//! (`BLASTOOL_NUM_THREADS`, `blastool_set_num_threads`); no thread outlives a call.

pub mod arch;
pub mod cblas;
pub mod fortran;
pub mod gemm;
pub mod level1;
pub mod level2;
pub mod level3;
pub mod scalar;
pub mod threads;
pub mod xerbla;
