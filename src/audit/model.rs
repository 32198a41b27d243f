//! The audit's vocabulary: what a format reader extracts from a binary (`Inventory`) and what the
//! engine reports about it (`FileReport`, `Entry`, `Finding`).
//!
//! The serialised field names and enum spellings here are the JSON contract documented in the
//! README (a file's own fields are laid out by `crate::report::json`); renaming one is a
//! breaking change for CI users.

pub use crate::audit::walk::resources::Resource;
use serde::Serialize;
use std::collections::BTreeSet;

/// Container format of one audited file (or archive member).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Elf,
    Coff,
    Pe,
    Macho,
    Archive,
    Unknown,
}

/// Instruction set of the code in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Arch {
    X86_64,
    X86,
    Aarch64,
    Arm,
    Powerpc64,
    Powerpc,
    Riscv64,
    S390x,
    Mips,
    Unknown,
}

impl Arch {
    pub fn name(self) -> &'static str {
        match self {
            Arch::X86_64 => "x86_64",
            Arch::X86 => "x86",
            Arch::Aarch64 => "aarch64",
            Arch::Arm => "arm",
            Arch::Powerpc64 => "powerpc64",
            Arch::Powerpc => "powerpc",
            Arch::Riscv64 => "riscv64",
            Arch::S390x => "s390x",
            Arch::Mips => "mips",
            Arch::Unknown => "unknown",
        }
    }
}

/// The C runtime whose rules decide which destructor tables run on unload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Runtime {
    Glibc,
    Musl,
    MsvcDynamic,
    MsvcStatic,
    Mingw,
    /// Apple's dynamic loader (Mach-O images).
    Dyld,
    Unknown,
}

impl Runtime {
    pub fn name(self) -> &'static str {
        match self {
            Runtime::Glibc => "glibc",
            Runtime::Musl => "musl",
            Runtime::MsvcDynamic => "msvc-dynamic",
            Runtime::MsvcStatic => "msvc-static",
            Runtime::Mingw => "mingw",
            Runtime::Dyld => "dyld",
            Runtime::Unknown => "unknown",
        }
    }
}

/// What kind of linked (or unlinked) artefact the file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BinaryKind {
    /// A relocatable object (`.o`, `.obj`): tables are still per-section and unresolved.
    Object,
    /// A shared object or DLL: the kind that is loaded and unloaded.
    SharedLibrary,
    /// An executable: it is never unloaded, so its constructors cannot leak across unloads.
    Executable,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Constructor,
    Destructor,
}

/// The mechanism through which an entry runs (or is supposed to run).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mechanism {
    PreinitArray,
    InitArray,
    FiniArray,
    Ctors,
    Dtors,
    DtInit,
    DtFini,
    CrtXi,
    CrtXc,
    CrtXp,
    CrtXt,
    TlsCallback,
    /// A function the image's `DllMain` calls (PE): it runs on `DLL_PROCESS_DETACH` if
    /// `DllMain` calls it there.
    DllMain,
    /// A function registered at run time with `atexit`, `__cxa_atexit`, `_onexit`, ...
    ExitHandler,
    /// Mach-O `S_MOD_INIT_FUNC_POINTERS` (`__mod_init_func`) pointer slots.
    ModInitFunc,
    /// Mach-O `S_INIT_FUNC_OFFSETS` (`__init_offsets`): offsets from `__TEXT`.
    InitOffsets,
    /// Mach-O `S_MOD_TERM_FUNC_POINTERS` (`__mod_term_func`) pointer slots.
    ModTermFunc,
    /// Mach-O `LC_ROUTINES_64` `init_address` (linked with `-init`).
    Routines,
}

impl Mechanism {
    pub fn name(self) -> &'static str {
        match self {
            Mechanism::PreinitArray => "preinit_array",
            Mechanism::InitArray => "init_array",
            Mechanism::FiniArray => "fini_array",
            Mechanism::Ctors => "ctors",
            Mechanism::Dtors => "dtors",
            Mechanism::DtInit => "dt_init",
            Mechanism::DtFini => "dt_fini",
            Mechanism::CrtXi => "crt_xi",
            Mechanism::CrtXc => "crt_xc",
            Mechanism::CrtXp => "crt_xp",
            Mechanism::CrtXt => "crt_xt",
            Mechanism::TlsCallback => "tls_callback",
            Mechanism::DllMain => "dll_main",
            Mechanism::ExitHandler => "exit_handler",
            Mechanism::ModInitFunc => "mod_init_func",
            Mechanism::InitOffsets => "init_offsets",
            Mechanism::ModTermFunc => "mod_term_func",
            Mechanism::Routines => "routines",
        }
    }

    /// The role an entry of this table plays.
    pub fn role(self) -> Role {
        match self {
            Mechanism::PreinitArray
            | Mechanism::InitArray
            | Mechanism::Ctors
            | Mechanism::DtInit
            | Mechanism::CrtXi
            | Mechanism::CrtXc
            | Mechanism::ModInitFunc
            | Mechanism::InitOffsets
            | Mechanism::Routines => Role::Constructor,
            Mechanism::FiniArray
            | Mechanism::Dtors
            | Mechanism::DtFini
            | Mechanism::CrtXp
            | Mechanism::CrtXt
            | Mechanism::DllMain
            | Mechanism::ExitHandler
            | Mechanism::ModTermFunc => Role::Destructor,
            // TLS callbacks act on attach and detach alike; the PE reader decides per callback.
            Mechanism::TlsCallback => Role::Constructor,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    User,
    Toolchain,
}

/// One table slot as a format reader found it, before any judgement.
#[derive(Debug, Clone)]
pub struct RawEntry {
    /// The table; its role (constructor or destructor) follows from it.
    pub mechanism: Mechanism,
    /// The section (or dynamic tag) the slot belongs to, e.g. `.init_array.00200`, `.CRT$XCU`.
    pub section: String,
    /// Where the pointer lives (virtual address, or offset in its section for objects).
    pub slot: u64,
    /// Engine-internal key of the target function, unique within the file (see `CodeKey`).
    pub target: u64,
    /// What users see as the target's address (VA, RVA, or offset in its section).
    pub address: u64,
    /// The section holding the target, for objects where offsets alone are ambiguous.
    pub target_section: Option<String>,
    pub symbol: Option<String>,
    pub priority: Option<u32>,
    /// How the slot's value was obtained (e.g. "R_X86_64_RELATIVE addend").
    pub resolved_by: &'static str,
}

/// What the engine learnt about one function by reading its code or its relocations.
#[derive(Debug, Clone, Default)]
pub struct FunctionFacts {
    /// Every imported or undefined function it (or a function it calls) references.
    pub imports: BTreeSet<String>,
    /// The first exit-handler registration function it calls, if any (`atexit`, ...).
    pub exit_handler_call: Option<String>,
    /// Code addresses (engine keys) whose address it takes where it registers an exit handler:
    /// the likely handlers.
    pub registered_handlers: BTreeSet<u64>,
    /// Writable global state it reads or writes (addresses or symbol/section keys).
    pub globals: BTreeSet<String>,
    /// Writable global state the functions it calls directly touch: weaker evidence, used to
    /// pair only what its own globals leave unpaired.
    pub callee_globals: BTreeSet<String>,
    /// How far the analysis got: false when the code could not be read or decoded.
    pub analysed: bool,
    /// Calls (and tail calls) made by the function itself, to anything.
    pub calls: usize,
    /// Every local function reached from it (itself included), within the call-depth limit.
    pub reached: BTreeSet<u64>,
    /// Code addresses it loads right before calling a *local* function: where the C runtime is
    /// linked in and stripped, that local function may be `atexit` itself.
    pub handlers_passed_to_local: BTreeSet<u64>,
    /// What the walk met but could not follow (indirect calls, the depth or size limit, code
    /// it could not read), described for the report: what it acquires beyond that is unknown.
    pub unfollowed: BTreeSet<String>,
}

/// The facts of every entry target and of every exit handler those register, with the
/// handlers' names and user-visible addresses: what each format reader hands to `Inventory`.
pub struct GatheredFacts {
    pub facts: std::collections::BTreeMap<u64, FunctionFacts>,
    pub function_names: std::collections::BTreeMap<u64, String>,
    pub display_addresses: std::collections::BTreeMap<u64, u64>,
}

impl GatheredFacts {
    /// `analyse` reads one function; `name_of` and `display` name and place a handler.
    pub fn gather(
        entries: &[RawEntry],
        analyse: impl Fn(u64) -> FunctionFacts,
        name_of: impl Fn(u64) -> Option<String>,
        display: impl Fn(u64) -> u64,
    ) -> Self {
        let mut facts = std::collections::BTreeMap::new();
        // Target 0 is an undefined or imported function: there is no code to read.
        for entry in entries.iter().filter(|e| e.target != 0) {
            facts
                .entry(entry.target)
                .or_insert_with(|| analyse(entry.target));
        }
        let handlers: Vec<u64> = facts
            .values()
            .flat_map(|f: &FunctionFacts| f.registered_handlers.iter().copied())
            .collect();
        let mut function_names = std::collections::BTreeMap::new();
        let mut display_addresses = std::collections::BTreeMap::new();
        for handler in handlers {
            if let Some(name) = name_of(handler) {
                function_names.insert(handler, name);
            }
            display_addresses.insert(handler, display(handler));
            facts.entry(handler).or_insert_with(|| analyse(handler));
        }
        GatheredFacts {
            facts,
            function_names,
            display_addresses,
        }
    }
}

/// A `DllMain`'s address and every function it reaches: (key, name, facts).
pub type DllMainFacts = (u64, Vec<(u64, Option<String>, FunctionFacts)>);

/// Everything a format reader extracts from one binary; the engine judges it.
#[derive(Debug, Clone)]
pub struct Inventory {
    pub format: Format,
    pub arch: Arch,
    pub kind: BinaryKind,
    pub runtime: Runtime,
    /// Why we believe `runtime` (e.g. "DT_NEEDED libc.so.6").
    pub runtime_evidence: String,
    /// Set when the image can never be unloaded, with the reason.
    pub never_unloaded: Option<String>,
    pub entries: Vec<RawEntry>,
    /// Facts per target key; filled by the reader for every entry target.
    pub facts: std::collections::BTreeMap<u64, FunctionFacts>,
    /// Names of functions by engine key, for naming registered exit handlers.
    pub function_names: std::collections::BTreeMap<u64, String>,
    /// Engine key -> user-visible address, for exit handlers that are not table entries.
    pub display_addresses: std::collections::BTreeMap<u64, u64>,
    /// A user `DllMain` (PE only): its address, and the facts of every function it reaches
    /// (key, name, facts), as candidates for the cleanup it runs on detach.
    pub dll_main: Option<DllMainFacts>,
    /// How the tables were located, for the report (e.g. "XC [0x2048, 0x2058) from a call").
    pub evidence: Vec<String>,
}

/// One constructor or destructor as reported.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub role: Role,
    pub mechanism: Mechanism,
    #[serde(serialize_with = "hex")]
    pub address: u64,
    pub symbol: Option<String>,
    pub section: String,
    pub origin: Origin,
    pub runs_on_unload: bool,
    pub registers_exit_handler: bool,
    #[serde(serialize_with = "hex_opt")]
    pub paired_with: Option<u64>,
    // Extra fields beyond the documented minimum.
    #[serde(serialize_with = "hex")]
    pub slot: u64,
    pub priority: Option<u32>,
    pub target_section: Option<String>,
    pub resolved_by: &'static str,
    pub exit_handler_call: Option<String>,
    pub paired_by: Option<String>,
    pub paired_with_symbol: Option<String>,
    pub why_origin: Option<String>,
    /// The function calls nothing: it only writes memory of the image and cannot acquire
    /// anything (memory, threads, handles) that an unload could leak.
    pub calls_nothing: bool,
    /// What the function (and what it calls) can acquire, by kind: `heap`, `thread`,
    /// `tls_key`, `mapping`, `handle`, `module`, `exit_handler`.
    pub acquires: Vec<Resource>,
    /// The imports behind `acquires` (`malloc`, `pthread_create`, ...).
    pub acquired_through: Vec<String>,
    /// Kinds among `acquires` that the same code also gives back (`free`, `close`, ...): it
    /// probably uses them only for a while.
    pub releases: Vec<Resource>,
    /// The walk met code it could not follow: it may acquire more than `acquires` says.
    pub acquires_unknown: bool,
    /// What was not followed (indirect calls, the depth limit), for `--verbose` and the JSON.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_followed: Vec<String>,
    /// Why a destructor runs on unload when its table alone would not say so.
    pub runs_on_unload_because: Option<String>,
    #[serde(skip)]
    pub key: u64,
}

impl Entry {
    /// A user entry for the function `key` (shown at `address`), as found through `section`:
    /// the judgement fills in its origin, pairing and whether it runs on unload.
    pub fn new(
        mechanism: Mechanism,
        key: u64,
        address: u64,
        symbol: Option<String>,
        section: String,
        resolved_by: &'static str,
    ) -> Self {
        Entry {
            role: mechanism.role(),
            mechanism,
            address,
            symbol,
            section,
            origin: Origin::User,
            runs_on_unload: false,
            registers_exit_handler: false,
            paired_with: None,
            slot: 0,
            priority: None,
            target_section: None,
            resolved_by,
            exit_handler_call: None,
            paired_by: None,
            paired_with_symbol: None,
            why_origin: None,
            calls_nothing: false,
            acquires: Vec::new(),
            acquired_through: Vec::new(),
            releases: Vec::new(),
            acquires_unknown: false,
            not_followed: Vec::new(),
            runs_on_unload_because: None,
            key,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Note,
    Warning,
    Error,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub rule: &'static str,
    pub rule_name: &'static str,
    pub severity: Severity,
    pub message: String,
    #[serde(serialize_with = "hex_opt")]
    pub address: Option<u64>,
    pub symbol: Option<String>,
    // Extra fields beyond the documented minimum, set by `crate::policy` after judging.
    /// The stable identity of the finding: SARIF's `partialFingerprints` value and the key of
    /// baseline files.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    /// The `[[allow]]` entry that accepts this finding; it then does not count for the exit
    /// status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed: Option<Allowance>,
    /// With `--baseline`: whether the baseline already knew this finding.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline_state: Option<BaselineState>,
}

impl Finding {
    /// False when an allowlist entry accepts the finding or the baseline already has it: such
    /// findings stay in every report but never decide the exit status.
    pub fn counts(&self) -> bool {
        self.allowed.is_none() && self.baseline_state != Some(BaselineState::Unchanged)
    }
}

/// Why a finding is accepted: the configuration entry and its reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Allowance {
    pub reason: String,
    /// The configuration file, as found or given.
    pub config: String,
    /// The entry's position among the file's `[[allow]]` tables, from 1.
    pub entry: usize,
    /// `YYYY-MM-DD`, when the entry has an expiry date.
    pub expires: Option<String>,
}

/// SARIF's `baselineState` for results of this run (`absent` ones are not findings of it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BaselineState {
    New,
    Unchanged,
}

/// A container member (or a file met while walking a directory) that was not audited because
/// it is not a binary: counted and listed with `--verbose`, never an error.
#[derive(Debug, Clone, Serialize)]
pub struct Skipped {
    /// The input as given.
    pub path: String,
    /// The member inside it (container levels joined with `!`), or None for the input itself.
    pub member: Option<String>,
    /// A short, stable reason ("not a binary", "empty file",
    /// "encrypted", "not a regular file").
    pub reason: String,
}

/// The report for one file or archive member. Its JSON form (with what `audit --confirm`
/// attaches) is laid out by `crate::report::json`.
#[derive(Debug, Clone)]
pub struct FileReport {
    pub path: String,
    pub member: Option<String>,
    pub format: Format,
    pub arch: Option<Arch>,
    pub runtime: Option<Runtime>,
    pub entries: Vec<Entry>,
    pub findings: Vec<Finding>,
    pub error: Option<String>,
    // Extra fields beyond the documented minimum.
    pub kind: Option<BinaryKind>,
    pub runtime_evidence: Option<String>,
    pub never_unloaded: Option<String>,
    /// How the tables were located (PE images), one line each.
    pub evidence: Vec<String>,
    /// False when the file was not audited (unknown format, not yet supported, import member).
    pub audited: bool,
    /// Why the file was not audited, when it was not.
    pub not_audited_reason: Option<String>,
}

impl FileReport {
    pub fn empty(path: &str, member: Option<String>, format: Format) -> Self {
        FileReport {
            path: path.to_string(),
            member,
            format,
            arch: None,
            runtime: None,
            entries: Vec::new(),
            findings: Vec::new(),
            error: None,
            kind: None,
            runtime_evidence: None,
            never_unloaded: None,
            evidence: Vec::new(),
            audited: false,
            not_audited_reason: None,
        }
    }

    pub fn failed(path: &str, member: Option<String>, format: Format, error: String) -> Self {
        let mut report = Self::empty(path, member, format);
        report.error = Some(error);
        report
    }

    pub fn not_audited(path: &str, member: Option<String>, format: Format, why: &str) -> Self {
        let mut report = Self::empty(path, member, format);
        report.not_audited_reason = Some(why.to_string());
        report
    }

    /// `path(member)` as archive tools print it, or just the path.
    pub fn display_name(&self) -> String {
        match &self.member {
            Some(member) => format!("{}({})", self.path, member),
            None => self.path.clone(),
        }
    }
}

fn hex<S: serde::Serializer>(value: &u64, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&format!("{value:#x}"))
}

fn hex_opt<S: serde::Serializer>(value: &Option<u64>, serializer: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(v) => serializer.serialize_str(&format!("{v:#x}")),
        None => serializer.serialize_none(),
    }
}
