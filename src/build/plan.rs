//! The plan: everything `blastool build` decides before it compiles anything. It checks the
//! options, resolves the target, the output directory and the toolchain, and computes the cache
//! key that tells whether a previous output can be kept.

use super::report::hex;
use super::targets::{self, Target};
use super::{cross, fail, kernel_sources, ramdisk, templates, BuildArgs, Failure, VERSION};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Bumped when the build recipe itself changes, so an old cache entry can never match.
const RECIPE: &str = "blastool-build-recipe-2";

/// What the build decided before compiling anything.
pub(super) struct Plan {
    pub target: &'static Target,
    /// The kernel tables compiled in: the target's, or `--dynamic-list`'s.
    pub tables: Vec<&'static str>,
    pub out: PathBuf,
    pub parent: PathBuf,
    pub out_name: String,
    pub profile: &'static str,
    pub want_static: bool,
    pub want_shared: bool,
    pub rustc_version: String,
    pub cargo_version: String,
    pub cc_version: String,
    pub compiler: cc::Tool,
    pub cache_key: String,
    /// The library name (`--name`, or its default).
    pub name: String,
    /// 64-bit BLAS integers (`--interface64`).
    pub ilp64: bool,
    /// What every exported symbol is wrapped in.
    pub symbol_prefix: String,
    pub symbol_suffix: String,
}

impl Plan {
    /// The name the library exports for function `base` (after --symbol-prefix/--symbol-suffix).
    pub fn exported_name(&self, base: &str) -> String {
        format!("{}{base}{}", self.symbol_prefix, self.symbol_suffix)
    }
}

/// Checks options, resolves the target and toolchain, and computes the cache key. The checks
/// run in a fixed order, so the same bad command line always gets the same error.
pub(super) fn plan(args: &BuildArgs) -> Result<Plan, Failure> {
    let naming = Naming::from_args(args)?;
    if args.jobs == Some(0) {
        return fail("--jobs must be at least 1");
    }
    let (target, tables) = resolve_target(args)?;
    check_ramdisk_request(args)?;
    let out = OutDir::resolve(args, target, naming.ilp64)?;
    let toolchain = Toolchain::probe(target)?;
    let mut plan = Plan {
        target,
        tables,
        out: out.path,
        parent: out.parent,
        out_name: out.name,
        profile: if args.debug { "debug" } else { "release" },
        want_static: !args.shared_only,
        want_shared: !args.static_only,
        rustc_version: toolchain.rustc_version,
        cargo_version: toolchain.cargo_version,
        cc_version: toolchain.cc_version,
        compiler: toolchain.compiler,
        cache_key: String::new(),
        name: naming.name,
        ilp64: naming.ilp64,
        symbol_prefix: naming.symbol_prefix,
        symbol_suffix: naming.symbol_suffix,
    };
    plan.cache_key = cache_key(&plan);
    Ok(plan)
}

/// The library's name and the integer model and affixes of its exported symbols.
struct Naming {
    name: String,
    ilp64: bool,
    symbol_prefix: String,
    symbol_suffix: String,
}

impl Naming {
    /// `--name`, `--interface64`, `--symbol-prefix` and `--symbol-suffix`, with their defaults
    /// and checked: they become file names, a CMake package name and C identifiers.
    fn from_args(args: &BuildArgs) -> Result<Naming, Failure> {
        let ilp64 = args.interface64;
        let name = args.name.clone().unwrap_or_else(|| {
            if ilp64 {
                "blastool64_".into()
            } else {
                "blastool".into()
            }
        });
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return fail(format!(
                "--name '{name}' must be letters, digits and underscores (it becomes file names and a CMake package name)"
            ));
        }
        let symbol_prefix = args.symbol_prefix.clone().unwrap_or_default();
        let symbol_suffix = args.symbol_suffix.clone().unwrap_or_else(|| {
            if ilp64 {
                "64_".into()
            } else {
                String::new()
            }
        });
        for (option, value) in [
            ("--symbol-prefix", &symbol_prefix),
            ("--symbol-suffix", &symbol_suffix),
        ] {
            if !value.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return fail(format!(
                    "{option} '{value}' must be ASCII letters, digits and underscores (it becomes part of every exported symbol)"
                ));
            }
        }
        if symbol_prefix.starts_with(|c: char| c.is_ascii_digit()) {
            return fail(format!(
                "--symbol-prefix '{symbol_prefix}' must not start with a digit (symbols would not be C identifiers)"
            ));
        }
        Ok(Naming {
            name,
            ilp64,
            symbol_prefix,
            symbol_suffix,
        })
    }
}

/// The target (`--target`, else this CPU's) as built for `--os`, and its kernel tables; fails
/// when it cannot be built here.
fn resolve_target(args: &BuildArgs) -> Result<(&'static Target, Vec<&'static str>), Failure> {
    let target = match &args.target {
        Some(name) => targets::lookup(name).or_else(fail)?,
        None => {
            let host = targets::detect_host();
            if !args.quiet {
                eprintln!(
                    "no --target given: this CPU is {}, building for it (pass --target GENERIC for a portable library)",
                    host.name
                );
            }
            host
        }
    };
    let target = cross::for_os(target, args.os);
    let tables: Vec<&'static str> = match (&args.dynamic_list, target.name) {
        (Some(list), "DYNAMIC") => targets::check_dynamic_list(list).or_else(fail)?,
        (Some(_), other) => {
            return fail(format!(
                "--dynamic-list only applies to --target DYNAMIC (not {other})"
            ))
        }
        _ => target.tables.to_vec(),
    };
    if let Some(blocker) = cross::build_blocker(target, &targets::installed_triples()) {
        return fail(format!("cannot build {}: {blocker}", target.name));
    }
    Ok((target, tables))
}

/// An explicit --ramdisk=PATH that is not RAM-backed is bad input even when the output is
/// already up to date, so it is refused here rather than when the staging directory is made.
fn check_ramdisk_request(args: &BuildArgs) -> Result<(), Failure> {
    if let Some(Some(path)) = &args.ramdisk {
        if matches!(ramdisk::is_ram_backed(path), Ok(Some(false))) {
            return fail(format!(
                "--ramdisk={}: not RAM-backed (statfs reports neither tmpfs nor ramfs); pass a tmpfs mount such as /dev/shm",
                path.display()
            ));
        }
    }
    Ok(())
}

/// The install directory and where it lives.
struct OutDir {
    path: PathBuf,
    /// Its parent directory, which must exist (the work tree is assembled there).
    parent: PathBuf,
    /// Its last path component.
    name: String,
}

impl OutDir {
    /// `--out` (or the default for the target), refusing a directory that is not ours to replace.
    fn resolve(args: &BuildArgs, target: &Target, ilp64: bool) -> Result<OutDir, Failure> {
        let cwd =
            std::env::current_dir().or_else(|e| fail(format!("no current directory: {e}")))?;
        let out = match &args.out {
            Some(dir) => cwd.join(dir),
            // A Windows or ILP64 build gets its own default directory, so it never replaces the
            // Linux LP64 one.
            None => cwd.join(format!(
                "blastool-{}{}{}",
                target.name.to_ascii_lowercase(),
                if cross::is_windows(target) {
                    "-windows"
                } else {
                    ""
                },
                if ilp64 { "-ilp64" } else { "" }
            )),
        };
        let name = match out.file_name() {
            Some(n) => n.to_string_lossy().into_owned(),
            None => return fail(format!("--out {} is not a directory name", out.display())),
        };
        let parent = out.parent().map(Path::to_path_buf).unwrap_or(cwd);
        if !parent.is_dir() {
            return fail(format!(
                "cannot write to {}: the parent directory {} does not exist; create it or choose another --out",
                out.display(),
                parent.display()
            ));
        }
        if out.exists() {
            let ours = out.join("build-report.json").is_file();
            let empty = std::fs::read_dir(&out).is_ok_and(|mut d| d.next().is_none());
            if !out.is_dir() || (!ours && !empty) {
                return fail(format!(
                    "{} exists and is not a blastool build output; refusing to replace it (choose another --out)",
                    out.display()
                ));
            }
        }
        Ok(OutDir {
            path: out,
            parent,
            name,
        })
    }
}

/// The compilers the build runs, with the versions that go into the cache key and the report.
struct Toolchain {
    rustc_version: String,
    cargo_version: String,
    cc_version: String,
    compiler: cc::Tool,
}

impl Toolchain {
    fn probe(target: &Target) -> Result<Toolchain, Failure> {
        let rustc_version = tool_output(
            &std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into()),
            &["-vV"],
        )
        .or_else(|e| {
            fail(format!(
                "cannot run rustc ({e}); install Rust from https://rustup.rs"
            ))
        })?;
        let cargo_version = tool_output(&cargo_program(), &["-V"]).or_else(|e| {
            fail(format!(
                "cannot run cargo ({e}); install Rust from https://rustup.rs"
            ))
        })?;
        let compiler = c_compiler(target, Path::new("."))?;
        let cc_version = compiler_version(&compiler)?;
        Ok(Toolchain {
            rustc_version,
            cargo_version,
            cc_version,
            compiler,
        })
    }
}

/// Every input that can change the output: sources, templates, target and its flags, options,
/// toolchain versions (the OpenBLAS #4581 lesson: a key missing one input silently keeps stale
/// objects).
fn cache_key(plan: &Plan) -> String {
    let mut hasher = Sha256::new();
    let mut feed = |part: &[u8]| {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part);
    };
    feed(RECIPE.as_bytes());
    feed(VERSION.as_bytes());
    for (path, bytes) in kernel_sources::KERNEL_SOURCES {
        feed(path.as_bytes());
        feed(bytes);
    }
    for (name, text) in templates::TEMPLATES {
        feed(name.as_bytes());
        feed(text.as_bytes());
    }
    for table in &plan.tables {
        feed(table.as_bytes());
    }
    let target = plan.target;
    for part in [
        target.name,
        target.triple,
        target.cpu,
        target.features,
        plan.profile,
        &plan.name,
        if plan.ilp64 { "ilp64" } else { "lp64" },
        &plan.symbol_prefix,
        &plan.symbol_suffix,
        if plan.want_static { "static" } else { "-" },
        if plan.want_shared { "shared" } else { "-" },
        &plan.rustc_version,
        &plan.cargo_version,
        &plan.cc_version,
    ] {
        feed(part.as_bytes());
    }
    for part in cross::cache_inputs(target) {
        feed(part.as_bytes());
    }
    hex(&hasher.finalize())
}

/// The cargo that runs the kernels' build: the one running us when cargo started us.
pub(super) fn cargo_program() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

fn tool_output(program: &str, args: &[&str]) -> Result<String, String> {
    let output = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{program}: {e}"))?;
    if !output.status.success() {
        return Err(format!("{program} {} failed", args.join(" ")));
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
}

/// The C compiler the `cc` crate picks for `target` (honours CC/CFLAGS like cargo builds do).
pub(super) fn c_compiler(target: &Target, out_dir: &Path) -> Result<cc::Tool, Failure> {
    cross::cc_tool(target.triple, out_dir).or_else(|e| {
        fail(format!(
            "no C compiler found ({e}); install one (apt-get install gcc) or set CC"
        ))
    })
}

fn compiler_version(compiler: &cc::Tool) -> Result<String, Failure> {
    let output = Command::new(compiler.path())
        .arg("--version")
        .stdin(Stdio::null())
        .output();
    match output {
        Ok(o) if o.status.success() => Ok(String::from_utf8_lossy(&o.stdout)
            .lines()
            .next()
            .unwrap_or("")
            .to_string()),
        _ => fail(format!(
            "no working C compiler: `{} --version` failed; install one (apt-get install gcc) or set CC",
            compiler.path().display()
        )),
    }
}
