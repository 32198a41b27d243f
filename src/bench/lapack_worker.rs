//! The child process of `blastool bench --lapack` (`blastool __bench-lapack-worker`): loads
//! reference LAPACK, whose `libblas.so.3` the parent pointed at the library under test through
//! `LD_LIBRARY_PATH`, proves which files actually serve its routines and its BLAS calls, and then
//! runs the cases the parent asks for on its standard input, one JSON line answered per command:
//!
//! - `case ROUTINE N THREADS`: generate the case's data, run one untimed call, write its result
//!   (little-endian f64) to the `--result` file, answer `{"seconds": ...}`;
//! - `time`: one timed call on fresh input, answer `{"seconds": ...}`;
//! - `quit`.
//!
//! Any failure is answered `{"error": "..."}` and ends the process.

use super::ffi::Library;
use super::lapack::{LapackRoutine, BLAS_PROBES};
use super::Lcg;
use serde_json::json;
use std::collections::BTreeMap;
use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Options of the hidden `__bench-lapack-worker` command (set by `bench --lapack`).
#[derive(Debug, Clone, clap::Args)]
pub struct LapackWorkerArgs {
    /// Reference LAPACK to load.
    #[arg(long)]
    pub lapack: PathBuf,
    /// The `libblas.so.3` that LAPACK must bind (a symlink to the library under test).
    #[arg(long)]
    pub blas: PathBuf,
    /// Where each case's result goes.
    #[arg(long)]
    pub result: PathBuf,
    /// `--lapack` is the BLAS library's own LAPACK (OpenBLAS's): its internal BLAS calls go
    /// through no GOT slot to read back, so only the LAPACK routines' file is reported.
    #[arg(long)]
    pub own_lapack: bool,
}

/// Runs the worker; the exit status is 0 after `quit`, 2 after an error.
pub fn run_lapack_worker(args: LapackWorkerArgs) -> u8 {
    match serve(&args) {
        Ok(()) => 0,
        Err(error) => {
            println!("{}", json!({ "error": error }));
            2
        }
    }
}

fn serve(args: &LapackWorkerArgs) -> Result<(), String> {
    let lapack = open(&args.lapack, libc::RTLD_NOW | libc::RTLD_LOCAL)?;
    // Already loaded as LAPACK's dependency: RTLD_NOLOAD hands back that very object. When it
    // is not loaded (another `libblas.so.3` took its place), the bindings say so and the parent
    // refuses the run.
    let blas = open(&args.blas, libc::RTLD_NOW | libc::RTLD_NOLOAD)
        .ok()
        .map(|handle| Library::adopt(args.blas.clone(), handle));
    let bindings = bindings(lapack, !args.own_lapack)
        .map_err(|e| format!("{}: {e}", args.lapack.display()))?;
    println!(
        "{}",
        json!({
            "bindings": bindings,
            "core": blas.as_ref().and_then(Library::core),
            "sets_threads": blas.as_ref().is_some_and(Library::can_set_threads),
        })
    );
    let mut problem: Option<Problem> = None;
    for line in std::io::stdin().lock().lines() {
        let line = line.map_err(|e| format!("reading commands: {e}"))?;
        let words: Vec<&str> = line.split_whitespace().collect();
        let seconds = match words.as_slice() {
            ["case", routine, n, threads] => {
                let routine = LapackRoutine::parse(routine)?;
                let n: usize = n.parse().map_err(|_| format!("bad size '{n}'"))?;
                let threads: i32 = threads
                    .parse()
                    .map_err(|_| format!("bad threads '{threads}'"))?;
                if let Some(blas) = &blas {
                    blas.set_threads(threads);
                }
                let mut fresh = Problem::new(routine, n, lapack)?;
                let seconds = fresh.run()?;
                write_result(&args.result, &fresh.result())?;
                problem = Some(fresh);
                seconds
            }
            ["time"] => problem.as_mut().ok_or("'time' before any 'case'")?.run()?,
            ["quit"] => return Ok(()),
            _ => return Err(format!("unknown command '{line}'")),
        };
        println!("{}", json!({ "seconds": seconds }));
        std::io::stdout().flush().map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn open(path: &Path, flags: c_int) -> Result<*mut c_void, String> {
    let c_path = CString::new(path.as_os_str().to_string_lossy().as_bytes())
        .map_err(|_| format!("{}: the path contains a NUL byte", path.display()))?;
    // SAFETY: loads (or finds) a library the parent named; running its constructors is the point.
    let handle = unsafe { libc::dlopen(c_path.as_ptr(), flags) };
    if handle.is_null() {
        // SAFETY: dlerror returns a thread-local message or null.
        let reason = unsafe { libc::dlerror() };
        let reason = if reason.is_null() {
            "unknown error".to_string()
        } else {
            // SAFETY: non-null dlerror results are NUL-terminated strings.
            unsafe { CStr::from_ptr(reason) }
                .to_string_lossy()
                .into_owned()
        };
        return Err(format!("cannot load {}: {reason}", path.display()));
    }
    Ok(handle)
}

/// The file (canonical path) whose code contains `address`.
fn file_of(address: usize) -> Option<String> {
    let mut info: libc::Dl_info = unsafe { std::mem::zeroed() };
    // SAFETY: dladdr only reads the loader's tables; info is a valid out-parameter.
    if unsafe { libc::dladdr(address as *const c_void, &mut info) } == 0 || info.dli_fname.is_null()
    {
        return None;
    }
    // SAFETY: dli_fname is the loader's NUL-terminated name of the object.
    let name = unsafe { CStr::from_ptr(info.dli_fname) }
        .to_string_lossy()
        .into_owned();
    Some(
        std::fs::canonicalize(&name)
            .map(|p| p.display().to_string())
            .unwrap_or(name),
    )
}

fn lookup(handle: *mut c_void, name: &str) -> Option<usize> {
    let c_name = CString::new(name).ok()?;
    // SAFETY: a live handle and a NUL-terminated name.
    let address = unsafe { libc::dlsym(handle, c_name.as_ptr()) };
    (!address.is_null()).then_some(address as usize)
}

/// Which file serves each LAPACK routine this bench times (looked up in LAPACK's handle, as the
/// bench calls them) and each BLAS routine LAPACK calls — the latter read from LAPACK's own GOT
/// slots, where the loader wrote what it bound, so interposition (`LD_PRELOAD`, a library
/// loaded with global scope) shows up instead of being assumed away.
fn bindings(lapack: *mut c_void, probe_blas: bool) -> Result<BTreeMap<String, String>, String> {
    let mut bindings = BTreeMap::new();
    for routine in LapackRoutine::ALL {
        let symbol = routine.symbol();
        let address =
            lookup(lapack, &symbol).ok_or_else(|| format!("no {symbol}: not a LAPACK library"))?;
        bindings.insert(symbol, file_of(address).unwrap_or_default());
    }
    if !probe_blas {
        return Ok(bindings);
    }
    let lapack_file = PathBuf::from(&bindings[&LapackRoutine::ALL[0].symbol()]);
    let data = std::fs::read(&lapack_file)
        .map_err(|e| format!("cannot read {}: {e}", lapack_file.display()))?;
    let slots =
        got_slots(&data, BLAS_PROBES).map_err(|e| format!("{}: {e}", lapack_file.display()))?;
    let base = load_base(lapack)?;
    for (symbol, offset) in slots {
        // SAFETY: the slot lies in LAPACK's mapped, relocated data (RTLD_NOW filled it).
        let target = unsafe { std::ptr::read((base + offset) as *const usize) };
        bindings.insert(symbol, file_of(target).unwrap_or_else(|| "?".into()));
    }
    Ok(bindings)
}

/// The load bias of a loaded library (`link_map::l_addr`, its first field).
fn load_base(handle: *mut c_void) -> Result<usize, String> {
    let mut map: *const usize = std::ptr::null();
    // SAFETY: RTLD_DI_LINKMAP stores a `struct link_map *` in the out-parameter.
    let status = unsafe {
        libc::dlinfo(
            handle,
            libc::RTLD_DI_LINKMAP,
            (&mut map as *mut *const usize).cast(),
        )
    };
    if status != 0 || map.is_null() {
        return Err("dlinfo(RTLD_DI_LINKMAP) failed".to_string());
    }
    // SAFETY: glibc's link_map starts with `ElfW(Addr) l_addr`.
    Ok(unsafe { *map })
}

/// The offsets (from the load bias) of the GOT slots through which the ELF file in `data` calls
/// each of `symbols`: the targets of its dynamic relocations against them.
fn got_slots(data: &[u8], symbols: &[&str]) -> Result<Vec<(String, usize)>, String> {
    use object::{Object, ObjectSymbol, ObjectSymbolTable, RelocationTarget};
    let file = object::File::parse(data).map_err(|e| e.to_string())?;
    let table = file.dynamic_symbol_table().ok_or("no dynamic symbols")?;
    let relocations = file.dynamic_relocations().ok_or("no dynamic relocations")?;
    let mut slots = Vec::new();
    for (offset, relocation) in relocations {
        let RelocationTarget::Symbol(index) = relocation.target() else {
            continue;
        };
        let Ok(name) = table.symbol_by_index(index).and_then(|s| s.name()) else {
            continue;
        };
        if symbols.contains(&name) && !slots.iter().any(|(n, _)| n == name) {
            slots.push((name.to_string(), offset as usize));
        }
    }
    for symbol in symbols {
        if !slots.iter().any(|(n, _)| n == symbol) {
            return Err(format!("no relocation against {symbol}"));
        }
    }
    Ok(slots)
}

fn write_result(path: &Path, values: &[f64]) -> Result<(), String> {
    let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    std::fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

type Getrf = unsafe extern "C" fn(
    *const c_int,
    *const c_int,
    *mut f64,
    *const c_int,
    *mut c_int,
    *mut c_int,
);
type Potrf =
    unsafe extern "C" fn(*const c_char, *const c_int, *mut f64, *const c_int, *mut c_int, usize);
type Geqrf = unsafe extern "C" fn(
    *const c_int,
    *const c_int,
    *mut f64,
    *const c_int,
    *mut f64,
    *mut f64,
    *const c_int,
    *mut c_int,
);
type Syevd = unsafe extern "C" fn(
    *const c_char,
    *const c_char,
    *const c_int,
    *mut f64,
    *const c_int,
    *mut f64,
    *mut f64,
    *const c_int,
    *mut c_int,
    *const c_int,
    *mut c_int,
    usize,
    usize,
);

/// One case: its input, kept intact, and the buffers one call overwrites.
struct Problem {
    routine: LapackRoutine,
    n: c_int,
    entry: usize,
    input: Vec<f64>,
    a: Vec<f64>,
    pivots: Vec<c_int>,
    /// geqrf's tau, syevd's eigenvalues.
    values: Vec<f64>,
    work: Vec<f64>,
    iwork: Vec<c_int>,
}

impl Problem {
    fn new(routine: LapackRoutine, n: usize, lapack: *mut c_void) -> Result<Problem, String> {
        let symbol = routine.symbol();
        let entry = lookup(lapack, &symbol).ok_or_else(|| format!("no {symbol}"))?;
        let input = routine.input(&mut Lcg(0x1a9ac ^ n as u64), n);
        let n = c_int::try_from(n).map_err(|_| format!("size {n} is too large"))?;
        let mut problem = Problem {
            routine,
            n,
            entry,
            a: input.clone(),
            input,
            pivots: vec![0; n as usize],
            values: vec![0.0; n as usize],
            work: Vec::new(),
            iwork: Vec::new(),
        };
        problem.size_workspace()?;
        Ok(problem)
    }

    /// Asks geqrf and syevd for their optimal workspace (`lwork = -1`), outside any timing.
    fn size_workspace(&mut self) -> Result<(), String> {
        let n = self.n;
        let mut info = 0;
        let mut work = [0.0f64];
        let mut iwork = [0 as c_int];
        let query = -1;
        // SAFETY: workspace queries write one element of work (and iwork) and nothing else.
        unsafe {
            match self.routine {
                LapackRoutine::Dgeqrf => {
                    let geqrf: Geqrf = std::mem::transmute(self.entry);
                    geqrf(
                        &n,
                        &n,
                        self.a.as_mut_ptr(),
                        &n,
                        self.values.as_mut_ptr(),
                        work.as_mut_ptr(),
                        &query,
                        &mut info,
                    );
                }
                LapackRoutine::Dsyevd => {
                    let syevd: Syevd = std::mem::transmute(self.entry);
                    syevd(
                        c"V".as_ptr(),
                        c"L".as_ptr(),
                        &n,
                        self.a.as_mut_ptr(),
                        &n,
                        self.values.as_mut_ptr(),
                        work.as_mut_ptr(),
                        &query,
                        iwork.as_mut_ptr(),
                        &query,
                        &mut info,
                        1,
                        1,
                    );
                }
                _ => return Ok(()),
            }
        }
        if info != 0 {
            return Err(format!(
                "{} workspace query: info = {info}",
                self.routine.symbol()
            ));
        }
        self.work = vec![0.0; (work[0] as usize).max(1)];
        self.iwork = vec![0; (iwork[0] as usize).max(1)];
        Ok(())
    }

    /// One call on a fresh copy of the input; the seconds it took.
    fn run(&mut self) -> Result<f64, String> {
        self.a.copy_from_slice(&self.input);
        let n = self.n;
        let mut info = 0;
        let (lwork, liwork) = (self.work.len() as c_int, self.iwork.len() as c_int);
        let start = Instant::now();
        // SAFETY: the entry is the routine's Fortran symbol (prototype above); every array holds
        // what the routine reads or writes for an n×n problem (workspaces as it asked).
        unsafe {
            match self.routine {
                LapackRoutine::Dgetrf | LapackRoutine::Zgetrf => {
                    let getrf: Getrf = std::mem::transmute(self.entry);
                    getrf(
                        &n,
                        &n,
                        self.a.as_mut_ptr(),
                        &n,
                        self.pivots.as_mut_ptr(),
                        &mut info,
                    );
                }
                LapackRoutine::Dpotrf => {
                    let potrf: Potrf = std::mem::transmute(self.entry);
                    potrf(c"L".as_ptr(), &n, self.a.as_mut_ptr(), &n, &mut info, 1);
                }
                LapackRoutine::Dgeqrf => {
                    let geqrf: Geqrf = std::mem::transmute(self.entry);
                    geqrf(
                        &n,
                        &n,
                        self.a.as_mut_ptr(),
                        &n,
                        self.values.as_mut_ptr(),
                        self.work.as_mut_ptr(),
                        &lwork,
                        &mut info,
                    );
                }
                LapackRoutine::Dsyevd => {
                    let syevd: Syevd = std::mem::transmute(self.entry);
                    syevd(
                        c"V".as_ptr(),
                        c"L".as_ptr(),
                        &n,
                        self.a.as_mut_ptr(),
                        &n,
                        self.values.as_mut_ptr(),
                        self.work.as_mut_ptr(),
                        &lwork,
                        self.iwork.as_mut_ptr(),
                        &liwork,
                        &mut info,
                        1,
                        1,
                    );
                }
            }
        }
        let seconds = start.elapsed().as_secs_f64();
        if info != 0 {
            return Err(format!("{} returned info = {info}", self.routine.symbol()));
        }
        Ok(seconds)
    }

    /// What the parent compares across libraries, in the segments `LapackRoutine::segments`
    /// describes: the factors, then pivots (getrf), tau (geqrf), or the eigenvalues followed by
    /// the eigenvectors, each column's sign fixed so that its entries sum to a positive number
    /// (an eigenvector is only defined up to sign).
    fn result(&self) -> Vec<f64> {
        let n = self.n as usize;
        let pivots = || self.pivots.iter().map(|&p| f64::from(p));
        match self.routine {
            LapackRoutine::Dgetrf | LapackRoutine::Zgetrf => {
                self.a.iter().copied().chain(pivots()).collect()
            }
            LapackRoutine::Dpotrf => self.a.clone(),
            LapackRoutine::Dgeqrf => self.a.iter().chain(&self.values).copied().collect(),
            LapackRoutine::Dsyevd => {
                let mut out = self.values.clone();
                for column in self.a.chunks(n) {
                    let sign = if column.iter().sum::<f64>() < 0.0 {
                        -1.0
                    } else {
                        1.0
                    };
                    out.extend(column.iter().map(|v| sign * v));
                }
                out
            }
        }
    }
}
