//! The CBLAS entry points of a library opened in a link-map namespace of its own (`dlmopen`),
//! plus the vendor calls that name its kernel table and set its thread count.

use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::path::{Path, PathBuf};

const COL_MAJOR: c_int = 102;
const NO_TRANS: c_int = 111;
const LOWER: c_int = 122;
const NON_UNIT: c_int = 131;
const LEFT: c_int = 141;

type Gemm<T> = unsafe extern "C" fn(
    c_int,
    c_int,
    c_int,
    c_int,
    c_int,
    c_int,
    T,
    *const T,
    c_int,
    *const T,
    c_int,
    T,
    *mut T,
    c_int,
);
type ComplexGemm = unsafe extern "C" fn(
    c_int,
    c_int,
    c_int,
    c_int,
    c_int,
    c_int,
    *const c_void,
    *const c_void,
    c_int,
    *const c_void,
    c_int,
    *const c_void,
    *mut c_void,
    c_int,
);
/// `cblas_?trsm`, `cblas_?trmm`: order, side, uplo, trans, diag, m, n, alpha, A, lda, B, ldb.
/// Real: alpha by value; complex (`C = c_void`): alpha by pointer to (re, im).
type Triangular<S, E> = unsafe extern "C" fn(
    c_int,
    c_int,
    c_int,
    c_int,
    c_int,
    c_int,
    c_int,
    S,
    *const E,
    c_int,
    *mut E,
    c_int,
);
/// `cblas_?syrk` (real and complex) and `cblas_?herk` (S = R real): order, uplo, trans, n, k,
/// alpha, A, lda, beta, C, ldc.
type RankK<S, R, E> =
    unsafe extern "C" fn(c_int, c_int, c_int, c_int, c_int, S, *const E, c_int, R, *mut E, c_int);
/// `cblas_?syr2k`, `cblas_?her2k` (beta R real) — order, uplo, trans, n, k — and `cblas_?symm`,
/// `cblas_?hemm` — order, side, uplo, m, n: then alpha, A, lda, B, ldb, beta, C, ldc.
type TwoOperand<S, R, E> = unsafe extern "C" fn(
    c_int,
    c_int,
    c_int,
    c_int,
    c_int,
    S,
    *const E,
    c_int,
    *const E,
    c_int,
    R,
    *mut E,
    c_int,
);
type Axpy = unsafe extern "C" fn(c_int, f64, *const f64, c_int, *mut f64, c_int);
type Dot = unsafe extern "C" fn(c_int, *const f64, c_int, *const f64, c_int) -> f64;
type Gemv = unsafe extern "C" fn(
    c_int,
    c_int,
    c_int,
    c_int,
    f64,
    *const f64,
    c_int,
    *const f64,
    c_int,
    f64,
    *mut f64,
    c_int,
);

/// A library as named on the command line: `PATH`, or `PATH@PREFIX` / `PATH@PREFIX@SUFFIX` for
/// one whose exported names carry affixes (scipy-openblas's `scipy_cblas_dgemm`: `PATH@scipy_`;
/// a `blastool build --symbol-suffix _x`: `PATH@@_x`). The `@` is looked for in the file name only,
/// so directories may contain one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LibrarySpec {
    pub path: PathBuf,
    pub prefix: String,
    pub suffix: String,
}

impl std::str::FromStr for LibrarySpec {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        let name_start = text.rfind('/').map_or(0, |slash| slash + 1);
        let (path, affixes) = match text[name_start..].find('@') {
            Some(at) => text.split_at(name_start + at),
            None => (text, ""),
        };
        let mut parts = affixes.strip_prefix('@').unwrap_or("").splitn(2, '@');
        let prefix = parts.next().unwrap_or("").to_string();
        let suffix = parts.next().unwrap_or("").to_string();
        for affix in [&prefix, &suffix] {
            if !affix
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_')
            {
                return Err(format!(
                    "{text}: a symbol prefix or suffix may hold only ASCII letters, digits and '_' \
                     (form: PATH, PATH@PREFIX or PATH@PREFIX@SUFFIX)"
                ));
            }
        }
        if path.is_empty() {
            return Err(format!("{text}: no library path before '@'"));
        }
        Ok(LibrarySpec {
            path: PathBuf::from(path),
            prefix,
            suffix,
        })
    }
}

impl From<PathBuf> for LibrarySpec {
    fn from(path: PathBuf) -> Self {
        LibrarySpec {
            path,
            prefix: String::new(),
            suffix: String::new(),
        }
    }
}

/// The link-map namespace a library was loaded into.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Namespace {
    /// A fresh one (`dlmopen(LM_ID_NEWLM)`): the library and all its dependencies are private to
    /// it, so a peer that loads its layers with global scope (MKL) cannot rebind another's calls,
    /// and two peers needing a `libblas.so.3` or `libgfortran.so.5` each get their own copy.
    Own,
    /// The process's main namespace (plain `dlopen`), shared with every library loaded so; the
    /// reason says why (the `dlmopen` error, or `--no-isolation`).
    Shared(String),
}

impl Namespace {
    pub fn describe(&self) -> String {
        match self {
            Namespace::Own => "own".to_string(),
            Namespace::Shared(reason) => format!("shared ({reason})"),
        }
    }
}

/// A library opened for benchmarking. It stays loaded for the life of the process: some BLAS
/// libraries cannot be unloaded cleanly, and the bench must not measure that.
pub struct Library {
    pub path: PathBuf,
    pub namespace: Namespace,
    /// Put around every name looked up (`LibrarySpec`).
    prefix: String,
    suffix: String,
    handle: *mut c_void,
    /// Symbols already looked up: `dlsym` costs as much as a whole 8×8 product, and must not be
    /// timed with it. A handful of entries, scanned linearly (cheaper than hashing the name).
    symbols: std::cell::RefCell<Vec<(String, usize)>>,
}

impl Library {
    /// Opens the library in a namespace of its own, or — when `isolate` is false or glibc
    /// refuses a new namespace (at most 16, and each copy of libc there needs static TLS space
    /// that runs out after a few) — with plain `dlopen` in the shared one.
    pub fn open(spec: &LibrarySpec, isolate: bool) -> Result<Library, String> {
        let path = spec.path.as_path();
        let c_path = CString::new(path.as_os_str().to_string_lossy().as_bytes())
            .map_err(|_| format!("{}: the path contains a NUL byte", path.display()))?;
        let isolated = if isolate {
            open_in_new_namespace(&c_path)
        } else {
            Err("--no-isolation".to_string())
        };
        let (handle, namespace) = match isolated {
            Ok(handle) => (handle, Namespace::Own),
            Err(reason) => {
                // SAFETY: as in open_in_new_namespace. RTLD_LOCAL at least keeps this library's
                // symbols from resolving the references of libraries loaded later.
                let handle =
                    unsafe { libc::dlopen(c_path.as_ptr(), libc::RTLD_NOW | libc::RTLD_LOCAL) };
                if handle.is_null() {
                    return Err(format!("cannot load {}: {}", path.display(), dl_error()));
                }
                (handle, Namespace::Shared(reason))
            }
        };
        let library = Library {
            path: path.to_path_buf(),
            namespace,
            prefix: spec.prefix.clone(),
            suffix: spec.suffix.clone(),
            handle,
            symbols: Default::default(),
        };
        if library.symbol("cblas_dgemm").is_none() {
            let looked_for = format!("{}cblas_dgemm{}", spec.prefix, spec.suffix);
            return Err(format!(
                "{} does not export {looked_for}{}",
                path.display(),
                Self::affix_hint(path)
            ));
        }
        Ok(library)
    }

    /// A library some other load already opened (`handle`), such as the `libblas.so.3` reference
    /// LAPACK pulled in: for its vendor calls, without requiring CBLAS.
    pub fn adopt(path: PathBuf, handle: *mut c_void) -> Library {
        Library {
            path,
            namespace: Namespace::Shared("loaded as a dependency".to_string()),
            prefix: String::new(),
            suffix: String::new(),
            handle,
            symbols: Default::default(),
        }
    }

    /// True when the library exports the CBLAS routine `cblas_<routine>` (with its affixes).
    pub fn has_routine(&self, routine: &str) -> bool {
        self.symbol(&format!("cblas_{routine}")).is_some()
    }

    pub fn name(&self) -> String {
        self.path.display().to_string()
    }

    fn symbol(&self, name: &str) -> Option<*mut c_void> {
        if let Some((_, address)) = self.symbols.borrow().iter().find(|(n, _)| n == name) {
            return Some(*address as *mut c_void);
        }
        let c_name = CString::new(format!("{}{name}{}", self.prefix, self.suffix)).ok()?;
        // SAFETY: the handle is live (never closed) and the name is NUL-terminated.
        let address = unsafe { libc::dlsym(self.handle, c_name.as_ptr()) };
        if !address.is_null() {
            self.symbols
                .borrow_mut()
                .push((name.to_string(), address as usize));
        }
        (!address.is_null()).then_some(address)
    }

    fn function<F: Copy>(&self, name: &str) -> Result<F, String> {
        let address = self.symbol(name).ok_or_else(|| {
            format!(
                "{} does not export {}{name}{}",
                self.path.display(),
                self.prefix,
                self.suffix
            )
        })?;
        assert_eq!(std::mem::size_of::<F>(), std::mem::size_of::<*mut c_void>());
        // SAFETY: F is one of the extern "C" function pointer types above, matching the CBLAS
        // prototype of `name`.
        Ok(unsafe { std::mem::transmute_copy::<*mut c_void, F>(&address) })
    }

    /// What to suggest when a library lacks the CBLAS name looked for: from its dynamic symbols, the
    /// affixes around a `cblas_dgemm` it does export, or that it is an ILP64 build bench cannot call.
    fn affix_hint(path: &Path) -> String {
        use object::{Object, ObjectSymbol};
        let Ok(data) = std::fs::read(path) else {
            return String::new();
        };
        let Ok(file) = object::File::parse(&*data) else {
            return String::new();
        };
        let names: Vec<String> = file
            .dynamic_symbols()
            .filter(|s| s.is_definition())
            .filter_map(|s| s.name().ok().map(str::to_string))
            .collect();
        // The plain routine, not cblas_dgemm_batch and friends: the shortest suffix.
        let affixed = names
            .iter()
            .filter_map(|n| {
                let at = n.find("cblas_dgemm")?;
                Some((&n[..at], &n[at + "cblas_dgemm".len()..]))
            })
            .min_by_key(|(_, suffix)| suffix.len());
        match affixed {
            Some((prefix, suffix)) if suffix.ends_with("64_") => format!(
                "; it exports {prefix}cblas_dgemm{suffix}: an ILP64 build (64-bit integers, as \
             `blastool build --interface64` makes), which bench cannot call (it measures the \
             LP64 CBLAS ABI)"
            ),
            Some((prefix, "")) => format!(
                "; it exports {prefix}cblas_dgemm: name it as {}@{prefix}",
                path.display()
            ),
            Some((prefix, suffix)) => format!(
                "; it exports {prefix}cblas_dgemm{suffix}: name it as {}@{prefix}@{suffix}",
                path.display()
            ),
            None => " (not a CBLAS library)".to_string(),
        }
    }

    /// The kernel table the library chose, where it says.
    pub fn core(&self) -> Option<String> {
        type Name = unsafe extern "C" fn() -> *const c_char;
        for query in ["blastool_get_corename", "openblas_get_corename"] {
            if let Ok(function) = self.function::<Name>(query) {
                // SAFETY: both return a static NUL-terminated string.
                let name = unsafe { CStr::from_ptr(function()) };
                return Some(name.to_string_lossy().into_owned());
            }
        }
        type ArchId = unsafe extern "C" fn() -> c_int;
        type ArchName = unsafe extern "C" fn(c_int) -> *const c_char;
        if let (Ok(id), Ok(name)) = (
            self.function::<ArchId>("bli_arch_query_id"),
            self.function::<ArchName>("bli_arch_string"),
        ) {
            // SAFETY: BLIS returns a static string for any id it returned.
            let name = unsafe { CStr::from_ptr(name(id())) };
            return Some(name.to_string_lossy().into_owned());
        }
        None
    }

    pub fn can_set_threads(&self) -> bool {
        [
            "blastool_set_num_threads",
            "openblas_set_num_threads",
            "bli_thread_set_num_threads",
            "MKL_Set_Num_Threads",
        ]
        .iter()
        .any(|name| self.symbol(name).is_some())
    }

    /// Sets the library's thread count through its own call, when it has one.
    pub fn set_threads(&self, threads: i32) {
        type SetInt = unsafe extern "C" fn(c_int);
        type SetDim = unsafe extern "C" fn(i64);
        // SAFETY: the prototypes are the libraries' documented ones.
        unsafe {
            if let Ok(set) = self.function::<SetInt>("blastool_set_num_threads") {
                set(threads);
            } else if let Ok(set) = self.function::<SetInt>("openblas_set_num_threads") {
                set(threads);
            } else if let Ok(set) = self.function::<SetDim>("bli_thread_set_num_threads") {
                set(i64::from(threads));
            } else if let Ok(set) = self.function::<SetInt>("MKL_Set_Num_Threads") {
                set(threads);
            }
        }
    }

    /// `C = alpha·A·B + beta·C` in column-major storage, for a real type.
    fn real_gemm<T: Copy>(
        &self,
        name: &str,
        (m, n, k): (usize, usize, usize),
        a: &[T],
        b: &[T],
        c: &mut [T],
        [alpha, beta]: [T; 2],
    ) -> Result<(), String> {
        let gemm: Gemm<T> = self.function(name)?;
        check(a.len() >= m * k && b.len() >= k * n && c.len() >= m * n)?;
        let (m, n, k) = (m as c_int, n as c_int, k as c_int);
        // SAFETY: column-major m×k, k×n and m×n arrays of at least the lengths checked above.
        unsafe {
            gemm(
                COL_MAJOR,
                NO_TRANS,
                NO_TRANS,
                m,
                n,
                k,
                alpha,
                a.as_ptr(),
                m,
                b.as_ptr(),
                k,
                beta,
                c.as_mut_ptr(),
                m,
            )
        };
        Ok(())
    }

    /// C = A·B + beta·C, alpha 1 (`beta` real).
    #[allow(clippy::too_many_arguments)]
    pub fn dgemm(
        &self,
        m: usize,
        n: usize,
        k: usize,
        a: &[f64],
        b: &[f64],
        c: &mut [f64],
        beta: f64,
    ) -> Result<(), String> {
        self.real_gemm("cblas_dgemm", (m, n, k), a, b, c, [1.0, beta])
    }

    /// C = A·B + beta·C, alpha 1 (`beta` real).
    #[allow(clippy::too_many_arguments)]
    pub fn sgemm(
        &self,
        m: usize,
        n: usize,
        k: usize,
        a: &[f32],
        b: &[f32],
        c: &mut [f32],
        beta: f64,
    ) -> Result<(), String> {
        self.real_gemm("cblas_sgemm", (m, n, k), a, b, c, [1.0, beta as f32])
    }

    /// `alpha_beta`: alpha and beta as (re, im) pairs.
    fn complex_gemm<T>(
        &self,
        name: &str,
        (m, n, k): (usize, usize, usize),
        a: &[T],
        b: &[T],
        c: &mut [T],
        alpha_beta: [[T; 2]; 2],
    ) -> Result<(), String> {
        let gemm: ComplexGemm = self.function(name)?;
        check(a.len() >= 2 * m * k && b.len() >= 2 * k * n && c.len() >= 2 * m * n)?;
        let (m, n, k) = (m as c_int, n as c_int, k as c_int);
        let [alpha, beta] = &alpha_beta;
        // SAFETY: interleaved (re, im) column-major arrays of the checked lengths; alpha and
        // beta point at two values each.
        unsafe {
            gemm(
                COL_MAJOR,
                NO_TRANS,
                NO_TRANS,
                m,
                n,
                k,
                alpha.as_ptr().cast(),
                a.as_ptr().cast(),
                m,
                b.as_ptr().cast(),
                k,
                beta.as_ptr().cast(),
                c.as_mut_ptr().cast(),
                m,
            )
        };
        Ok(())
    }

    /// C = A·B + beta·C, alpha 1 (`beta` real).
    #[allow(clippy::too_many_arguments)]
    pub fn zgemm(
        &self,
        m: usize,
        n: usize,
        k: usize,
        a: &[f64],
        b: &[f64],
        c: &mut [f64],
        beta: f64,
    ) -> Result<(), String> {
        self.complex_gemm("cblas_zgemm", (m, n, k), a, b, c, [[1.0, 0.0], [beta, 0.0]])
    }

    /// C = A·B + beta·C, alpha 1 (`beta` real).
    #[allow(clippy::too_many_arguments)]
    pub fn cgemm(
        &self,
        m: usize,
        n: usize,
        k: usize,
        a: &[f32],
        b: &[f32],
        c: &mut [f32],
        beta: f64,
    ) -> Result<(), String> {
        self.complex_gemm(
            "cblas_cgemm",
            (m, n, k),
            a,
            b,
            c,
            [[1.0, 0.0], [beta as f32, 0.0]],
        )
    }

    /// One square level 3 call other than GEMM (`cblas_<routine>`, e.g. `ztrsm`, `cherk`), all
    /// left side, lower, not transposed, non-unit; alpha 1 and `beta` (real, also for herk and
    /// her2k, whose beta is real). `(m, n, k)`: A is m×m (trsm, trmm, symm, hemm; B and C m×n) or n×k (the
    /// rank-k updates; C n×n). Complex operands are interleaved (re, im) pairs of T.
    pub fn level3<T: Copy + From<f32>>(
        &self,
        routine: &str,
        (m, n, k): (usize, usize, usize),
        a: &[T],
        b: &[T],
        c: &mut [T],
        beta: f64,
    ) -> Result<(), String> {
        let complex = routine.starts_with('c') || routine.starts_with('z');
        let pair = if complex { 2 } else { 1 };
        let op = &routine[1..];
        let (a_len, b_len, c_len) = match op {
            "trsm" | "trmm" => (m * m, 0, m * n),
            "syrk" | "herk" => (n * k, 0, n * n),
            "syr2k" | "her2k" => (n * k, n * k, n * n),
            "symm" | "hemm" => (m * m, m * n, m * n),
            _ => return Err(format!("unknown routine '{routine}'")),
        };
        check(a.len() >= pair * a_len && b.len() >= pair * b_len && c.len() >= pair * c_len)?;
        let name = format!("cblas_{routine}");
        let (one, beta_real) = (T::from(1.0), T::from(beta as f32));
        let (one_c, beta_pair) = ([one, T::from(0.0)], [beta_real, T::from(0.0)]);
        let (mi, ni, ki) = (m as c_int, n as c_int, k as c_int);
        let (a, b, c) = (a.as_ptr(), b.as_ptr(), c.as_mut_ptr());
        // Pointers to complex scalars, as the CBLAS prototypes take them.
        let (alpha_c, beta_c) = (
            one_c.as_ptr().cast::<c_void>(),
            beta_pair.as_ptr().cast::<c_void>(),
        );
        // SAFETY: each prototype is CBLAS's for the name; the arrays hold at least the lengths
        // checked above, column-major with leading dimension m (or n for the rank-k updates).
        unsafe {
            match (op, complex) {
                ("trsm" | "trmm", false) => self.function::<Triangular<T, T>>(&name)?(
                    COL_MAJOR, LEFT, LOWER, NO_TRANS, NON_UNIT, mi, ni, one, a, mi, c, mi,
                ),
                ("trsm" | "trmm", true) => self.function::<Triangular<*const c_void, T>>(&name)?(
                    COL_MAJOR, LEFT, LOWER, NO_TRANS, NON_UNIT, mi, ni, alpha_c, a, mi, c, mi,
                ),
                ("syrk", false) => self.function::<RankK<T, T, T>>(&name)?(
                    COL_MAJOR, LOWER, NO_TRANS, ni, ki, one, a, ni, beta_real, c, ni,
                ),
                ("syrk", true) => self.function::<RankK<*const c_void, *const c_void, T>>(&name)?(
                    COL_MAJOR, LOWER, NO_TRANS, ni, ki, alpha_c, a, ni, beta_c, c, ni,
                ),
                ("herk", _) => self.function::<RankK<T, T, T>>(&name)?(
                    COL_MAJOR, LOWER, NO_TRANS, ni, ki, one, a, ni, beta_real, c, ni,
                ),
                ("syr2k", false) => self.function::<TwoOperand<T, T, T>>(&name)?(
                    COL_MAJOR, LOWER, NO_TRANS, ni, ki, one, a, ni, b, ni, beta_real, c, ni,
                ),
                ("syr2k", true) => self
                    .function::<TwoOperand<*const c_void, *const c_void, T>>(&name)?(
                    COL_MAJOR, LOWER, NO_TRANS, ni, ki, alpha_c, a, ni, b, ni, beta_c, c, ni,
                ),
                ("her2k", _) => self.function::<TwoOperand<*const c_void, T, T>>(&name)?(
                    COL_MAJOR, LOWER, NO_TRANS, ni, ki, alpha_c, a, ni, b, ni, beta_real, c, ni,
                ),
                ("symm", false) => self.function::<TwoOperand<T, T, T>>(&name)?(
                    COL_MAJOR, LEFT, LOWER, mi, ni, one, a, mi, b, mi, beta_real, c, mi,
                ),
                ("symm" | "hemm", _) => self
                    .function::<TwoOperand<*const c_void, *const c_void, T>>(&name)?(
                    COL_MAJOR, LEFT, LOWER, mi, ni, alpha_c, a, mi, b, mi, beta_c, c, mi,
                ),
                _ => return Err(format!("unknown routine '{routine}'")),
            }
        };
        Ok(())
    }

    pub fn daxpy(&self, n: usize, x: &[f64], y: &mut [f64]) -> Result<(), String> {
        let axpy: Axpy = self.function("cblas_daxpy")?;
        check(x.len() >= n && y.len() >= n)?;
        // SAFETY: both vectors hold n elements with unit stride.
        unsafe { axpy(n as c_int, 0.5, x.as_ptr(), 1, y.as_mut_ptr(), 1) };
        Ok(())
    }

    pub fn ddot(&self, n: usize, x: &[f64], y: &[f64]) -> Result<f64, String> {
        let dot: Dot = self.function("cblas_ddot")?;
        check(x.len() >= n && y.len() >= n)?;
        // SAFETY: both vectors hold n elements with unit stride.
        Ok(unsafe { dot(n as c_int, x.as_ptr(), 1, y.as_ptr(), 1) })
    }

    pub fn dgemv(
        &self,
        m: usize,
        n: usize,
        a: &[f64],
        x: &[f64],
        y: &mut [f64],
    ) -> Result<(), String> {
        let gemv: Gemv = self.function("cblas_dgemv")?;
        check(a.len() >= m * n && x.len() >= n && y.len() >= m)?;
        // SAFETY: column-major m×n matrix, x of n and y of m elements.
        unsafe {
            gemv(
                COL_MAJOR,
                NO_TRANS,
                m as c_int,
                n as c_int,
                1.0,
                a.as_ptr(),
                m as c_int,
                x.as_ptr(),
                1,
                0.5,
                y.as_mut_ptr(),
                1,
            )
        };
        Ok(())
    }
}

/// `dlmopen(LM_ID_NEWLM)`: the library, its dependencies and a copy of libc in a new namespace.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn open_in_new_namespace(path: &CStr) -> Result<*mut c_void, String> {
    // SAFETY: this runs the library's constructors — that is the point of benchmarking it, and
    // the user named the file.
    let handle = unsafe {
        libc::dlmopen(
            libc::LM_ID_NEWLM,
            path.as_ptr(),
            libc::RTLD_NOW | libc::RTLD_LOCAL,
        )
    };
    if handle.is_null() {
        Err(format!("dlmopen: {}", dl_error()))
    } else {
        Ok(handle)
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn open_in_new_namespace(_path: &CStr) -> Result<*mut c_void, String> {
    Err("dlmopen needs glibc".to_string())
}

/// The message of the last failed dl* call on this thread.
fn dl_error() -> String {
    // SAFETY: dlerror returns a thread-local message or null.
    unsafe {
        let error = libc::dlerror();
        if error.is_null() {
            "unknown error".to_string()
        } else {
            CStr::from_ptr(error).to_string_lossy().into_owned()
        }
    }
}

fn check(ok: bool) -> Result<(), String> {
    if ok {
        Ok(())
    } else {
        Err("internal error: benchmark buffers are too small".to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::LibrarySpec;

    fn spec(text: &str) -> LibrarySpec {
        text.parse().unwrap()
    }

    #[test]
    fn affixes_follow_the_file_name() {
        assert_eq!(spec("/usr/lib/libopenblas.so.0").prefix, "");
        let s = spec("/w/libscipy_openblas.so@scipy_");
        assert_eq!(
            (
                s.path.to_str().unwrap(),
                s.prefix.as_str(),
                s.suffix.as_str()
            ),
            ("/w/libscipy_openblas.so", "scipy_", "")
        );
        let s = spec("/odd@dir/lib.so@my_@_x");
        assert_eq!(
            (
                s.path.to_str().unwrap(),
                s.prefix.as_str(),
                s.suffix.as_str()
            ),
            ("/odd@dir/lib.so", "my_", "_x")
        );
        assert_eq!(spec("lib.so@@64_").suffix, "64_");
        assert!("lib.so@bad-prefix".parse::<LibrarySpec>().is_err());
        assert!("@scipy_".parse::<LibrarySpec>().is_err());
    }
}
