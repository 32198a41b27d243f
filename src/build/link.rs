//! Link: lays out cargo's libraries in the install tree under their final names, the ELF shared
//! library with its soname links (and the system-BLAS drop-in link), a Windows DLL as a MinGW
//! install lays it out.

use super::plan::Plan;
use super::{cross, fail, io_failure, Failure, VERSION};
use std::path::{Path, PathBuf};

/// The file names of the installed ELF shared library.
pub(super) struct SharedNames {
    /// The real file: `lib<name>.so.<version>`.
    pub real_so: String,
    /// `lib<name>.so.<major>`, what programs record and load.
    pub soname: String,
    /// The system BLAS name linked to the soname, if this build can stand in for it.
    pub drop_in: Option<String>,
}

impl SharedNames {
    pub fn new(plan: &Plan) -> SharedNames {
        let so_major = VERSION.split('.').next().unwrap_or("0");
        let soname = format!("lib{}.so.{so_major}", plan.name);
        SharedNames {
            real_so: format!("lib{}.so.{VERSION}", plan.name),
            drop_in: drop_in_name(plan, &soname),
            soname,
        }
    }
}

/// Creates the install tree's directories in `root` and copies the libraries from `artifacts`
/// into it. Returns the shared library's names.
pub(super) fn link(
    plan: &Plan,
    artifacts: &Path,
    root: &Path,
    stage: &Path,
) -> Result<SharedNames, Failure> {
    let names = SharedNames::new(plan);
    assemble(plan, artifacts, root, stage, &names)
        .or_else(|e| fail(io_failure("cannot assemble the libraries", &e)))?;
    Ok(names)
}

fn assemble(
    plan: &Plan,
    artifacts: &Path,
    root: &Path,
    stage: &Path,
    names: &SharedNames,
) -> std::io::Result<()> {
    let name = &plan.name;
    let lib_dir = root.join("lib");
    std::fs::create_dir_all(lib_dir.join("pkgconfig"))?;
    std::fs::create_dir_all(lib_dir.join("cmake").join(name))?;
    std::fs::create_dir_all(root.join("include"))?;
    if cross::is_windows(plan.target) {
        return cross::install_windows(
            artifacts,
            &cross::def_path(stage, name),
            root,
            name,
            plan.want_static,
            plan.want_shared,
        );
    }
    if plan.want_static {
        std::fs::copy(
            artifacts.join("libkernels.a"),
            lib_dir.join(format!("lib{name}.a")),
        )?;
    }
    if plan.want_shared {
        let SharedNames {
            real_so,
            soname,
            drop_in,
        } = names;
        std::fs::copy(artifacts.join("libkernels.so"), lib_dir.join(real_so))?;
        symlink(real_so, &lib_dir.join(soname))?;
        symlink(soname, &lib_dir.join(format!("lib{name}.so")))?;
        if let Some(drop_in) = drop_in.as_deref() {
            symlink(soname, &lib_dir.join(drop_in))?;
        }
    }
    Ok(())
}

/// The libraries (not links, not import libraries) the install tree holds in `root`: what the
/// self-audit reads.
pub(super) fn produced_libraries(plan: &Plan, root: &Path, names: &SharedNames) -> Vec<PathBuf> {
    let name = &plan.name;
    let lib_dir = root.join("lib");
    let mut files = Vec::new();
    if plan.want_shared && cross::is_windows(plan.target) {
        files.push(root.join("bin").join(format!("lib{name}.dll")));
    } else if plan.want_shared {
        files.push(lib_dir.join(&names.real_so));
    }
    if plan.want_static {
        files.push(lib_dir.join(format!("lib{name}.a")));
    }
    files
}

/// The file name under which distributions install the system BLAS that this build can replace
/// (`lib/<name>` becomes a link to the soname): `libblas.so.3` for LP64 with the plain names,
/// which is what reference LAPACK and every program linked with `-lblas` load on Debian, Ubuntu
/// and Fedora; `libblas64.so.3` for ILP64 with the plain names, Debian's 64-bit-integer BLAS.
/// None for a prefixed or suffixed build (callers look up `dgemm_`, which it does not export),
/// for Windows, and for a static-only build.
fn drop_in_name(plan: &Plan, soname: &str) -> Option<String> {
    let plain = plan.symbol_prefix.is_empty() && plan.symbol_suffix.is_empty();
    if !plan.want_shared || cross::is_windows(plan.target) || !plain {
        return None;
    }
    let name = if plan.ilp64 {
        "libblas64.so.3"
    } else {
        "libblas.so.3"
    };
    // `--name blas` with a major version 3 would make the soname link itself the drop-in name.
    (name != soname).then(|| name.to_string())
}

#[cfg(unix)]
fn symlink(target: &str, link: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}

#[cfg(not(unix))]
fn symlink(target: &str, link: &Path) -> std::io::Result<()> {
    let from = link.with_file_name(target);
    std::fs::copy(from, link).map(|_| ())
}
