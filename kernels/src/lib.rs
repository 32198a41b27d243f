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
//! before unloading). Large GEMM-based products are split over a pool of worker threads
//! (`BLASTOOL_NUM_THREADS`, `blastool_set_num_threads`) that starts on first use and that
//! `blastool_quit` (run on unload) joins; see `threads`.

/// The exported name of symbol `$name`: `blastool build --symbol-prefix/--symbol-suffix` (the
/// OpenBLAS SYMBOLPREFIX/SYMBOLSUFFIX convention, e.g. `dgemm_64_` for ILP64) reach the kernels as
/// `BLASTOOL_SYMBOL_PREFIX`/`BLASTOOL_SYMBOL_SUFFIX`, which `build.rs` always defines (empty by
/// default). Every exported symbol goes through here so that two builds can share a process.
macro_rules! blas_symbol {
    ($name:expr) => {
        concat!(
            env!("BLASTOOL_SYMBOL_PREFIX"),
            $name,
            env!("BLASTOOL_SYMBOL_SUFFIX")
        )
    };
}

pub mod arch;
pub mod cblas;
pub mod extensions;
pub mod fortran;
pub mod gemm;
pub mod gemmt;
pub mod level1;
pub mod level2;
pub mod level3;
pub mod scalar;
pub mod threads;
pub mod trsm;
pub mod vector;
pub mod xerbla;

/// The BLAS integer of both exported ABIs (`blasint` in the headers): 32-bit (LP64) by default,
/// 64-bit when built with `--cfg blastool_ilp64` (`blastool build --interface64`). Enum
/// arguments of the CBLAS ABI stay C `int` either way, as in every CBLAS.
#[cfg(not(blastool_ilp64))]
pub type Int = i32;
/// The BLAS integer of both exported ABIs; 64-bit in this ILP64 build.
#[cfg(blastool_ilp64)]
pub type Int = i64;
