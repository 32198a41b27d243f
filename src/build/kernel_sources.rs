//! The kernels crate's sources (everything `cargo build` needs: manifest, build script,
//! `src/**`), embedded in the blastool binary so `blastool build` works from any directory and
//! offline. A unit test in `mod.rs` fails when a file under `kernels/src` is missing here.

/// (path relative to the kernels crate, contents).
pub const KERNEL_SOURCES: &[(&str, &[u8])] = &[
    (
        "Cargo.toml",
        include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/kernels/Cargo.toml")),
    ),
    (
        "build.rs",
        include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/kernels/build.rs")),
    ),
    (
        "src/arch.rs",
        include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/kernels/src/arch.rs")),
    ),
    (
        "src/cblas.rs",
        include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/kernels/src/cblas.rs")),
    ),
    (
        "src/fortran.rs",
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/kernels/src/fortran.rs"
        )),
    ),
    (
        "src/gemm/buffers.rs",
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/kernels/src/gemm/buffers.rs"
        )),
    ),
    (
        "src/gemm/generic.rs",
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/kernels/src/gemm/generic.rs"
        )),
    ),
    (
        "src/gemm/haswell.rs",
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/kernels/src/gemm/haswell.rs"
        )),
    ),
    (
        "src/gemm/mod.rs",
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/kernels/src/gemm/mod.rs"
        )),
    ),
    (
        "src/gemm/simd_macros.rs",
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/kernels/src/gemm/simd_macros.rs"
        )),
    ),
    (
        "src/gemm/skylakex.rs",
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/kernels/src/gemm/skylakex.rs"
        )),
    ),
    (
        "src/level1.rs",
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/kernels/src/level1.rs"
        )),
    ),
    (
        "src/level2.rs",
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/kernels/src/level2.rs"
        )),
    ),
    (
        "src/level3.rs",
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/kernels/src/level3.rs"
        )),
    ),
    (
        "src/lib.rs",
        include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/kernels/src/lib.rs")),
    ),
    (
        "src/scalar.rs",
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/kernels/src/scalar.rs"
        )),
    ),
    (
        "src/threads.rs",
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/kernels/src/threads.rs"
        )),
    ),
    (
        "src/xerbla.rs",
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/kernels/src/xerbla.rs"
        )),
    ),
];
