//! Build script: exports the weak `xerbla_`/`cblas_xerbla` defaults from the ELF shared library.
fn main() {
    println!("cargo:rerun-if-changed=exports.map");
    // `blastool build --target NAME` compiles only NAME's tables in, with
    // `--cfg blastool_tables="..."`; without it every table is there (the DYNAMIC build).
    println!(
        "cargo::rustc-check-cfg=cfg(blastool_tables, values(\"GENERIC\", \"HASWELL\", \"SKYLAKEX\"))"
    );
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    // The weak symbols are defined in assembly only on x86_64 Linux (see src/xerbla.rs); rustc's
    // generated version script would make them local, so a second script lists them as global.
    if os == "linux" && arch == "x86_64" {
        let dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
        println!("cargo:rustc-cdylib-link-arg=-Wl,--version-script={dir}/exports.map");
    }
}
