//! blastool's BLAS kernels.
//!
//! This crate is deliberately empty for now: it exists so that the workspace layout is fixed
//! before the kernels issue fills it (levels 1–3, four precisions, CBLAS and Fortran ABIs).
//! It must keep depending on `std` only, so that `blastool build` can compile it offline.
