//! What a constructor acquires: the one table that maps the runtimes' real export names to the
//! kind of resource they hand out (or give back), and the summary of one walk's imports in
//! those terms.
//!
//! The names are the undecorated export names of glibc and musl (`libc.so.6`, `libc.musl-*`),
//! libstdc++ and libc++ (Itanium-mangled `operator new` and `std::thread`), the Universal CRT
//! and the older MSVC runtimes (`api-ms-win-crt-*`, `ucrtbase`, `msvcrt`, `vcruntime140`, MSVC
//! mangled `operator new`), `kernel32`/`KernelBase`, `ntdll` and `ole32`, and the Mach-O
//! spellings with their leading underscore. A function that is not in the table is taken to
//! acquire nothing the caller owns: what a library allocates for its own bookkeeping is that
//! library's state, not a per-load leak of ours.

use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// A kind of resource a constructor can acquire and an unload can leak.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Resource {
    /// A thread: it keeps running code of the library after the unload, which crashes.
    Thread,
    /// Heap memory (`malloc`, `operator new`, `HeapAlloc`, ...).
    Heap,
    /// A process-wide thread-local storage key or index (`pthread_key_create`, `TlsAlloc`).
    TlsKey,
    /// An address-space mapping (`mmap`, `VirtualAlloc`, `MapViewOfFile`).
    Mapping,
    /// A file descriptor or kernel handle (`open`, `fopen`, `socket`, `CreateEvent`).
    Handle,
    /// A reference on another loaded module (`dlopen`, `LoadLibrary`).
    Module,
    /// An exit handler (`atexit`, `__cxa_atexit`): registration, which undoes the rest.
    ExitHandler,
}

impl Resource {
    pub fn name(self) -> &'static str {
        match self {
            Resource::Thread => "thread",
            Resource::Heap => "heap",
            Resource::TlsKey => "tls_key",
            Resource::Mapping => "mapping",
            Resource::Handle => "handle",
            Resource::Module => "module",
            Resource::ExitHandler => "exit_handler",
        }
    }
}

/// Functions that hand out a resource, by undecorated export name.
const ACQUIRERS: &[(Resource, &[&str])] = &[
    (
        Resource::Thread,
        &[
            "pthread_create",
            "thrd_create",
            "clone",
            "clone3",
            "CreateThread",
            "CreateRemoteThread",
            "CreateRemoteThreadEx",
            "_beginthread",
            "_beginthreadex",
            "_Thrd_create",
            "_Thrd_start",
            "QueueUserWorkItem",
            "CreateThreadpoolWork",
            "CreateTimerQueueTimer",
            "RtlCreateUserThread",
        ],
    ),
    (
        Resource::Heap,
        &[
            "malloc",
            "calloc",
            "realloc",
            "reallocarray",
            "posix_memalign",
            "aligned_alloc",
            "memalign",
            "valloc",
            "pvalloc",
            "strdup",
            "strndup",
            "__strdup",
            "__strndup",
            "wcsdup",
            "asprintf",
            "vasprintf",
            "__asprintf",
            "__asprintf_chk",
            "__vasprintf_chk",
            "open_memstream",
            "_strdup",
            "_wcsdup",
            "_mbsdup",
            "_aligned_malloc",
            "_aligned_realloc",
            "_aligned_offset_malloc",
            "_malloc_base",
            "_calloc_base",
            "_realloc_base",
            "_recalloc",
            "HeapAlloc",
            "HeapReAlloc",
            "HeapCreate",
            "LocalAlloc",
            "LocalReAlloc",
            "GlobalAlloc",
            "GlobalReAlloc",
            "CoTaskMemAlloc",
            "CoTaskMemRealloc",
            "SysAllocString",
            "SysAllocStringLen",
            "RtlAllocateHeap",
            "RtlReAllocateHeap",
            // Itanium C++ ABI: operator new and new[] (size_t is `m` on LP64, `j` on ILP32),
            // with their nothrow and align_val_t overloads.
            "_Znwm",
            "_Znam",
            "_Znwj",
            "_Znaj",
            "_ZnwmRKSt9nothrow_t",
            "_ZnamRKSt9nothrow_t",
            "_ZnwjRKSt9nothrow_t",
            "_ZnajRKSt9nothrow_t",
            "_ZnwmSt11align_val_t",
            "_ZnamSt11align_val_t",
            "_ZnwmSt11align_val_tRKSt9nothrow_t",
            "_ZnamSt11align_val_tRKSt9nothrow_t",
            // MSVC: operator new and new[] on x64/ARM64 and x86, plus the nothrow overloads.
            "??2@YAPEAX_K@Z",
            "??_U@YAPEAX_K@Z",
            "??2@YAPAXI@Z",
            "??_U@YAPAXI@Z",
            "??2@YAPEAX_KAEBUnothrow_t@std@@@Z",
            "??_U@YAPEAX_KAEBUnothrow_t@std@@@Z",
            "??2@YAPAXIABUnothrow_t@std@@@Z",
            "??_U@YAPAXIABUnothrow_t@std@@@Z",
            // GLib's allocator, which many constructors in desktop libraries use.
            "g_malloc",
            "g_malloc0",
            "g_malloc_n",
            "g_malloc0_n",
            "g_realloc",
            "g_try_malloc",
            "g_try_malloc0",
            "g_strdup",
            "g_strndup",
            "g_strdup_printf",
        ],
    ),
    (
        Resource::TlsKey,
        &[
            "pthread_key_create",
            "tss_create",
            "TlsAlloc",
            "FlsAlloc",
            "_Tss_create",
        ],
    ),
    (
        Resource::Mapping,
        &[
            "mmap",
            "mmap64",
            "__mmap",
            "shm_open",
            "shmat",
            "VirtualAlloc",
            "VirtualAllocEx",
            "VirtualAlloc2",
            "MapViewOfFile",
            "MapViewOfFileEx",
            "MapViewOfFile3",
            "NtAllocateVirtualMemory",
            "NtMapViewOfSection",
        ],
    ),
    (
        Resource::Handle,
        &[
            "open",
            "open64",
            "__open",
            "__open64",
            "__open_2",
            "__open64_2",
            "openat",
            "openat64",
            "__openat_2",
            "creat",
            "creat64",
            "fopen",
            "fopen64",
            "freopen",
            "fdopen",
            "opendir",
            "fdopendir",
            "popen",
            "socket",
            "socketpair",
            "accept",
            "accept4",
            "pipe",
            "pipe2",
            "dup",
            "eventfd",
            "epoll_create",
            "epoll_create1",
            "timerfd_create",
            "signalfd",
            "inotify_init",
            "inotify_init1",
            "memfd_create",
            "shmget",
            "sem_open",
            "mq_open",
            "_open",
            "_wopen",
            "_sopen",
            "_wsopen",
            "_sopen_s",
            "_wsopen_s",
            "_fdopen",
            "_wfopen",
            "fopen_s",
            "_wfopen_s",
            "_fsopen",
            "_wfsopen",
            "_popen",
            "_wpopen",
            "CreateFileA",
            "CreateFileW",
            "CreateFile2",
            "CreateEventA",
            "CreateEventW",
            "CreateEventExA",
            "CreateEventExW",
            "CreateMutexA",
            "CreateMutexW",
            "CreateMutexExA",
            "CreateMutexExW",
            "CreateSemaphoreA",
            "CreateSemaphoreW",
            "CreateSemaphoreExA",
            "CreateSemaphoreExW",
            "CreateWaitableTimerA",
            "CreateWaitableTimerW",
            "CreateWaitableTimerExW",
            "CreateFileMappingA",
            "CreateFileMappingW",
            "CreateFileMapping2",
            "CreateFileMappingNumaW",
            "CreateIoCompletionPort",
            "CreatePipe",
            "CreateNamedPipeA",
            "CreateNamedPipeW",
            "OpenEventA",
            "OpenEventW",
            "OpenMutexA",
            "OpenMutexW",
            "OpenFileMappingA",
            "OpenFileMappingW",
            "DuplicateHandle",
            "RegOpenKeyExA",
            "RegOpenKeyExW",
            "RegCreateKeyExA",
            "RegCreateKeyExW",
            "WSASocketA",
            "WSASocketW",
            "NtCreateFile",
            "NtOpenFile",
            "NtCreateEvent",
        ],
    ),
    (
        Resource::Module,
        &[
            "dlopen",
            "dlmopen",
            "LoadLibraryA",
            "LoadLibraryW",
            "LoadLibraryExA",
            "LoadLibraryExW",
            "LoadPackagedLibrary",
            "LdrLoadDll",
        ],
    ),
];

/// Functions that give a resource back: a walk that reaches both the acquirer and the
/// releaser of a kind probably uses it only for a while (a scratch buffer, a file read once).
const RELEASERS: &[(Resource, &[&str])] = &[
    (Resource::Thread, &["pthread_join", "thrd_join"]),
    (
        Resource::Heap,
        &[
            "free",
            "__libc_free",
            "cfree",
            "_free_base",
            "_aligned_free",
            "HeapFree",
            "LocalFree",
            "GlobalFree",
            "CoTaskMemFree",
            "SysFreeString",
            "RtlFreeHeap",
            "g_free",
            "_ZdlPv",
            "_ZdaPv",
            "_ZdlPvm",
            "_ZdaPvm",
            "_ZdlPvj",
            "_ZdaPvj",
            "_ZdlPvSt11align_val_t",
            "_ZdlPvmSt11align_val_t",
            "??3@YAXPEAX@Z",
            "??_V@YAXPEAX@Z",
            "??3@YAXPEAX_K@Z",
            "??_V@YAXPEAX_K@Z",
            "??3@YAXPAX@Z",
            "??_V@YAXPAX@Z",
            "??3@YAXPAXI@Z",
        ],
    ),
    (
        Resource::TlsKey,
        &["pthread_key_delete", "tss_delete", "TlsFree", "FlsFree"],
    ),
    (
        Resource::Mapping,
        &[
            "munmap",
            "__munmap",
            "shmdt",
            "VirtualFree",
            "VirtualFreeEx",
            "UnmapViewOfFile",
            "UnmapViewOfFileEx",
        ],
    ),
    (
        Resource::Handle,
        &[
            "close",
            "__close",
            "fclose",
            "closedir",
            "pclose",
            "_close",
            "_pclose",
            "CloseHandle",
            "RegCloseKey",
            "closesocket",
        ],
    ),
    (Resource::Module, &["dlclose", "FreeLibrary"]),
];

/// Acquirers whose result only one family of functions gives back, with that family: what a
/// destructor or exit handler must call to undo them. Heap is left out (it is freed through
/// wrappers, containers and indirect calls far too often to demand a named `free`).
const SPECIFIC_RELEASERS: &[(&[&str], &[&str])] = &[
    (
        &["pthread_create", "thrd_create"],
        &["pthread_join", "thrd_join"],
    ),
    (
        &["pthread_key_create", "tss_create"],
        &["pthread_key_delete", "tss_delete"],
    ),
    (&["TlsAlloc"], &["TlsFree"]),
    (&["FlsAlloc"], &["FlsFree"]),
    (&["mmap", "mmap64", "__mmap"], &["munmap", "__munmap"]),
    (&["sem_open"], &["sem_close"]),
    (&["opendir", "fdopendir"], &["closedir"]),
    (
        &["fopen", "fopen64", "freopen", "fdopen", "popen"],
        &["fclose", "pclose"],
    ),
    (
        &[
            "open",
            "open64",
            "__open",
            "__open64",
            "__open_2",
            "__open64_2",
            "openat",
            "openat64",
            "__openat_2",
            "creat",
            "creat64",
            "socket",
            "shm_open",
            "eventfd",
            "memfd_create",
            "timerfd_create",
            "epoll_create",
            "epoll_create1",
            "signalfd",
            "inotify_init",
            "inotify_init1",
            "pipe",
            "pipe2",
            "dup",
        ],
        &["close", "__close"],
    ),
    (&["dlopen", "dlmopen"], &["dlclose"]),
    (
        &[
            "LoadLibraryA",
            "LoadLibraryW",
            "LoadLibraryExA",
            "LoadLibraryExW",
        ],
        &["FreeLibrary"],
    ),
    (
        &["VirtualAlloc", "VirtualAllocEx"],
        &["VirtualFree", "VirtualFreeEx"],
    ),
    (&["MapViewOfFile", "MapViewOfFileEx"], &["UnmapViewOfFile"]),
];

/// The acquirers among `acquired` (undecorated import names) that none of `released` (the
/// imports of the constructor and of everything meant to undo it) gives back, with their kind.
pub fn left_behind<'a>(
    acquired: impl IntoIterator<Item = &'a String>,
    released: &BTreeSet<String>,
) -> Vec<(String, Resource)> {
    let released: BTreeSet<&str> = released.iter().map(|n| super::undecorated(n)).collect();
    let mut left = Vec::new();
    for name in acquired {
        let plain = super::undecorated(name);
        let Some((_, releasers)) = SPECIFIC_RELEASERS
            .iter()
            .find(|(acquirers, _)| acquirers.contains(&plain))
        else {
            continue;
        };
        if releasers.iter().all(|r| !released.contains(r)) {
            if let Some(kind) = acquired_by(plain) {
                left.push((plain.to_string(), kind));
            }
        }
    }
    left
}

/// Imports that run a callback they are handed before returning: the walk follows the code
/// address loaded for them as if it were called (`pthread_once(&once, init)`).
const CALLBACK_RUNNERS: &[&str] = &[
    "pthread_once",
    "__pthread_once",
    "call_once",
    "InitOnceExecuteOnce",
    "_Execute_once",
];

/// The kind `name` has in `table`, under any of its spellings.
fn lookup(table: &[(Resource, &[&str])], name: &str) -> Option<Resource> {
    spellings(name).find_map(|candidate| {
        table
            .iter()
            .find(|(_, names)| names.contains(&candidate))
            .map(|(resource, _)| *resource)
    })
}

/// The resource a call to this imported function acquires, if any.
pub fn acquired_by(name: &str) -> Option<Resource> {
    if super::is_exit_handler_registrar(name) {
        return Some(Resource::ExitHandler);
    }
    // libstdc++ `std::thread::_M_start_thread(...)` has several mangled overloads.
    if super::undecorated(name).contains("_ZNSt6thread15_M_start_thread") {
        return Some(Resource::Thread);
    }
    lookup(ACQUIRERS, name)
}

/// The resource a call to this imported function gives back, if any.
pub fn released_by(name: &str) -> Option<Resource> {
    lookup(RELEASERS, name)
}

/// Does this import run the callback it is given before it returns?
pub fn runs_callback(name: &str) -> bool {
    spellings(name).any(|candidate| CALLBACK_RUNNERS.contains(&candidate))
}

/// The undecorated name, then without the one extra leading underscore of i386 COFF and
/// Mach-O symbols.
fn spellings(name: &str) -> impl Iterator<Item = &str> {
    let name = super::undecorated(name);
    std::iter::once(name).chain(name.strip_prefix('_'))
}

/// One constructor's imports in terms of resources.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Acquisitions {
    /// Each acquired kind with the imports that acquire it.
    pub acquired: BTreeMap<Resource, BTreeSet<String>>,
    /// Kinds the same walk also gives back.
    pub released: BTreeSet<Resource>,
}

impl Acquisitions {
    pub fn of<'a>(imports: impl IntoIterator<Item = &'a String>) -> Self {
        let mut summary = Acquisitions::default();
        for import in imports {
            if let Some(resource) = acquired_by(import) {
                summary
                    .acquired
                    .entry(resource)
                    .or_default()
                    .insert(super::undecorated(import).to_string());
            }
            if let Some(resource) = released_by(import) {
                summary.released.insert(resource);
            }
        }
        summary
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtime_spellings_map_to_their_resource() {
        assert_eq!(acquired_by("malloc@GLIBC_2.2.5"), Some(Resource::Heap));
        assert_eq!(acquired_by("__imp_HeapAlloc"), Some(Resource::Heap));
        assert_eq!(acquired_by("_malloc"), Some(Resource::Heap));
        assert_eq!(acquired_by("_Znwm"), Some(Resource::Heap));
        assert_eq!(acquired_by("??2@YAPEAX_K@Z"), Some(Resource::Heap));
        assert_eq!(acquired_by("pthread_create"), Some(Resource::Thread));
        assert_eq!(
            acquired_by("_ZNSt6thread15_M_start_threadESt10unique_ptrINS_6_StateESt14default_deleteIS1_EEPFvvE"),
            Some(Resource::Thread)
        );
        assert_eq!(acquired_by("TlsAlloc"), Some(Resource::TlsKey));
        assert_eq!(acquired_by("mmap64"), Some(Resource::Mapping));
        assert_eq!(acquired_by("CreateEventW"), Some(Resource::Handle));
        assert_eq!(acquired_by("LoadLibraryExW"), Some(Resource::Module));
        assert_eq!(acquired_by("__cxa_atexit"), Some(Resource::ExitHandler));
        assert_eq!(acquired_by("getenv"), None);
        assert_eq!(acquired_by("mallocx_helper"), None);
        assert_eq!(released_by("free"), Some(Resource::Heap));
        assert_eq!(released_by("_ZdlPvm"), Some(Resource::Heap));
        assert!(runs_callback("pthread_once@GLIBC_2.2.5"));
        assert!(!runs_callback("pthread_create"));
    }

    #[test]
    fn left_behind_names_what_no_undoer_gives_back() {
        let names = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let acquired = names(&["sem_open", "shm_open", "mmap", "malloc", "getenv"]);
        let released: BTreeSet<String> = names(&["close", "munmap@GLIBC_2.2.5", "free"])
            .into_iter()
            .collect();
        assert_eq!(
            left_behind(&acquired, &released),
            vec![("sem_open".to_string(), Resource::Handle)]
        );
        let all: BTreeSet<String> = names(&["close", "munmap", "sem_close"])
            .into_iter()
            .collect();
        assert!(left_behind(&acquired, &all).is_empty());
    }

    #[test]
    fn every_name_is_listed_once() {
        let mut seen = BTreeSet::new();
        for (_, names) in ACQUIRERS.iter().chain(RELEASERS) {
            for name in *names {
                assert!(seen.insert(*name), "{name} is listed twice");
            }
        }
    }

    #[test]
    fn summary_keeps_the_importing_names_of_every_kind() {
        let imports: Vec<String> = ["malloc", "free", "__cxa_atexit", "getenv", "open64"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let summary = Acquisitions::of(&imports);
        let acquired: Vec<Resource> = summary.acquired.keys().copied().collect();
        assert_eq!(
            acquired,
            vec![Resource::Heap, Resource::Handle, Resource::ExitHandler]
        );
        assert!(summary.released.contains(&Resource::Heap));
        assert!(summary.acquired[&Resource::ExitHandler].contains("__cxa_atexit"));
    }
}
