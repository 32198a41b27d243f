/*
 * loader.c -- the Windows half of `blastool leakcheck`, rendered by blastool
 * (placeholders in double braces) and compiled for the DLL's architecture
 * with MinGW-w64 (cross, or native on Windows). It runs natively on Windows
 * or under Wine on Linux.
 *
 * Usage: loader CYCLES CALL DLL [PRELOAD...]
 *   CYCLES   number of LoadLibrary/FreeLibrary cycles
 *   CALL     "-" for none, "blas" for a small cblas_dgemm, or an exported
 *            no-argument function to call once per cycle
 *   DLL      the library under test (a Windows path)
 *   PRELOAD  DLLs the target imports. They are loaded once and kept: when
 *            the runtime DLLs unload together with the target, Wine's
 *            builtin CRT destroys its heap and a real leak vanishes from
 *            the figures.
 *
 * Every line meant for blastool starts with "{{PREFIX}}" followed by one JSON
 * object; anything else on stdout (the DLL's own output) is ignored.
 */
#define PSAPI_VERSION 2 /* GetProcessMemoryInfo lives in kernel32 as K32GetProcessMemoryInfo */
#include <windows.h>
#include <psapi.h>
#include <tlhelp32.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PREFIX "{{PREFIX}}"

/* Writes one protocol line and flushes it: the parent reads while we run and must see the
 * last sample even if the next cycle crashes the process. */
static void emit(const char *json)
{
    fputs(PREFIX, stdout);
    fputs(json, stdout);
    fputc('\n', stdout);
    fflush(stdout);
}

/* JSON string escaping for error messages and paths. */
static void json_string(char *out, size_t size, const char *text)
{
    size_t n = 0;
    if (size < 3)
        return;
    out[n++] = '"';
    for (; *text && n + 8 < size; text++) {
        unsigned char c = (unsigned char)*text;
        if (c == '"' || c == '\\') {
            out[n++] = '\\';
            out[n++] = (char)c;
        } else if (c < 0x20) {
            n += (size_t)snprintf(out + n, size - n, "\\u%04x", c);
        } else {
            out[n++] = (char)c;
        }
    }
    out[n++] = '"';
    out[n] = 0;
}

static void emit_error(const char *stage, const char *what, DWORD code)
{
    char message[1024], quoted[1200], line[1400];
    char system[512] = "";
    FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, code, 0,
                   system, sizeof system, NULL);
    /* FormatMessage ends with CR LF; drop it. */
    for (char *p = system; *p; p++)
        if (*p == '\r' || *p == '\n')
            *p = ' ';
    snprintf(message, sizeof message, "%s (error %lu: %s)", what, (unsigned long)code, system);
    json_string(quoted, sizeof quoted, message);
    snprintf(line, sizeof line, "{\"event\":\"error\",\"stage\":\"%s\",\"message\":%s}", stage,
             quoted);
    emit(line);
}

static unsigned long count_threads(void)
{
    DWORD pid = GetCurrentProcessId();
    unsigned long threads = 0;
    THREADENTRY32 entry;
    HANDLE snapshot = CreateToolhelp32Snapshot(TH32CS_SNAPTHREAD, 0);
    if (snapshot == INVALID_HANDLE_VALUE)
        return 0;
    entry.dwSize = sizeof entry;
    if (Thread32First(snapshot, &entry)) {
        do {
            if (entry.th32OwnerProcessID == pid)
                threads++;
            entry.dwSize = sizeof entry;
        } while (Thread32Next(snapshot, &entry));
    }
    CloseHandle(snapshot);
    return threads;
}

/* Committed private memory, summed over the address space. Under Wine PrivateUsage reads 0 and
 * PagefileUsage counts only pages that were written, so a pool that is committed but never
 * touched (the usual shape of a leaked buffer) would be invisible in both; VirtualQuery sees
 * the commit on Windows and Wine alike. */
static unsigned long long committed_private_kib(void)
{
    MEMORY_BASIC_INFORMATION info;
    unsigned long long total = 0;
    const char *address = 0;
    while (VirtualQuery(address, &info, sizeof info) == sizeof info) {
        const char *next = (const char *)info.BaseAddress + info.RegionSize;
        if (info.State == MEM_COMMIT && info.Type == MEM_PRIVATE)
            total += info.RegionSize;
        if (next <= address)
            break;
        address = next;
    }
    return total / 1024;
}

/* Bytes in the busy blocks of every heap of the process (the process heap, the CRT's, any a
 * DLL created), summed with HeapWalk: the exact heap in use, blind to what the heaps keep
 * committed for reuse. Writes "null" when the heaps cannot be listed or walked. */
#define MAX_HEAPS 256
static void heap_bytes(char *out, size_t size)
{
    HANDLE heaps[MAX_HEAPS];
    unsigned long long total = 0;
    DWORD count = GetProcessHeaps(MAX_HEAPS, heaps), i, error;
    snprintf(out, size, "null");
    if (count == 0 || count > MAX_HEAPS)
        return;
    for (i = 0; i < count; i++) {
        PROCESS_HEAP_ENTRY entry;
        /* Locked, so another thread of the DLL cannot change the heap under the walk. */
        if (!HeapLock(heaps[i]))
            return;
        memset(&entry, 0, sizeof entry);
        while (HeapWalk(heaps[i], &entry))
            if (entry.wFlags & PROCESS_HEAP_ENTRY_BUSY)
                total += entry.cbData;
        error = GetLastError(); /* why the walk stopped: the end, or a failure */
        HeapUnlock(heaps[i]);
        if (error != ERROR_NO_MORE_ITEMS)
            return;
    }
    snprintf(out, size, "%llu", total);
}

/* TLS indexes in use (TlsAlloc), counted the only way Windows allows: allocate indexes until
 * TlsAlloc refuses, free them again, and subtract from the fixed total (64 slots plus 1024
 * expansion slots). Writes "null" when the total is not what this assumes. */
#define TLS_TOTAL 1088
static void tls_indexes(char *out, size_t size)
{
    static DWORD taken[TLS_TOTAL];
    int n = 0, i;
    while (n < TLS_TOTAL) {
        DWORD index = TlsAlloc();
        if (index == TLS_OUT_OF_INDEXES)
            break;
        taken[n++] = index;
    }
    /* Still not out of indexes: the process has more than assumed, so the count is unknown. */
    if (n == TLS_TOTAL) {
        DWORD extra = TlsAlloc();
        if (extra != TLS_OUT_OF_INDEXES) {
            TlsFree(extra);
            n = -1;
        }
    }
    for (i = 0; i < (n < 0 ? TLS_TOTAL : n); i++)
        TlsFree(taken[i]);
    if (n < 0)
        snprintf(out, size, "null");
    else
        snprintf(out, size, "%d", TLS_TOTAL - n);
}

static void sample(int cycle, int unloaded)
{
    PROCESS_MEMORY_COUNTERS counters;
    DWORD handles = 0;
    char line[512], heap_text[32], tls_text[32];
    /* First, before anything below can allocate. */
    heap_bytes(heap_text, sizeof heap_text);
    tls_indexes(tls_text, sizeof tls_text);
    memset(&counters, 0, sizeof counters);
    counters.cb = sizeof counters;
    GetProcessMemoryInfo(GetCurrentProcess(), &counters, sizeof counters);
    char handle_text[32] = "null";

    /* A live process always holds some handles (its standard streams at least): a count of 0
     * means the call is not implemented (Wine 8), which must read "unknown", not "flat". */
    if (GetProcessHandleCount(GetCurrentProcess(), &handles) && handles > 0)
        snprintf(handle_text, sizeof handle_text, "%lu", (unsigned long)handles);
    snprintf(line, sizeof line,
             "{\"event\":\"sample\",\"cycle\":%d,\"committed_kib\":%llu,\"resident_kib\":%llu,"
             "\"pagefile_kib\":%llu,\"threads\":%lu,\"handles\":%s,\"heap_bytes\":%s,"
             "\"tls_keys\":%s,\"unloaded\":%s}",
             cycle, committed_private_kib(), (unsigned long long)(counters.WorkingSetSize / 1024),
             (unsigned long long)(counters.PagefileUsage / 1024), count_threads(), handle_text,
             heap_text, tls_text, unloaded ? "true" : "false");
    emit(line);
}

typedef void (*no_arg_fn)(void);
typedef void (*cblas_dgemm_fn)(int, int, int, int, int, int, double, const double *, int,
                               const double *, int, double, double *, int);

/* A 2x2 row-major product through the CBLAS entry point: enough for a BLAS to run its lazy
 * initialisation (thread pool, buffers), small enough to cost nothing. */
static int call_blas(HMODULE module)
{
    static const double a[4] = {1, 2, 3, 4}, b[4] = {5, 6, 7, 8};
    double c[4] = {0, 0, 0, 0};
    cblas_dgemm_fn dgemm = (cblas_dgemm_fn)(void (*)(void))GetProcAddress(module, "cblas_dgemm");
    if (!dgemm) {
        emit_error("call", "the DLL exports no cblas_dgemm", GetLastError());
        return 0;
    }
    /* CblasRowMajor = 101, CblasNoTrans = 111 */
    dgemm(101, 111, 111, 2, 2, 2, 1.0, a, 2, b, 2, 0.0, c, 2);
    if (c[0] != 19.0 || c[3] != 50.0) {
        emit_error("call", "cblas_dgemm returned a wrong product", 0);
        return 0;
    }
    return 1;
}

static LONG WINAPI on_crash(EXCEPTION_POINTERS *info)
{
    char line[256];
    snprintf(line, sizeof line,
             "{\"event\":\"crash\",\"code\":\"0x%08lx\",\"address\":\"%p\"}",
             (unsigned long)info->ExceptionRecord->ExceptionCode,
             info->ExceptionRecord->ExceptionAddress);
    emit(line);
    ExitProcess(3);
    return EXCEPTION_EXECUTE_HANDLER;
}

int main(int argc, char **argv)
{
    int cycles, cycle, i;
    const char *call, *target;
    char line[256];
    if (argc < 4) {
        fprintf(stderr, "usage: %s CYCLES CALL DLL [PRELOAD...]\n", argv[0]);
        return 2;
    }
    /* No error dialogs (there is no one to click them) and a JSON line instead of a debugger
     * when the DLL crashes. */
    SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX | SEM_NOOPENFILEERRORBOX);
    SetUnhandledExceptionFilter(on_crash);
    cycles = atoi(argv[1]);
    call = argv[2];
    target = argv[3];
    for (i = 4; i < argc; i++) {
        if (!LoadLibraryA(argv[i])) {
            /* A DLL the target imports that is not there: the target's own load will fail
             * and say which; keep going so that the message names the real culprit. */
            DWORD code = GetLastError();
            char what[600];
            snprintf(what, sizeof what, "cannot preload the import %s", argv[i]);
            emit_error("preload", what, code);
        }
    }
    snprintf(line, sizeof line, "{\"event\":\"start\",\"pid\":%lu,\"pointer_bits\":%d}",
             (unsigned long)GetCurrentProcessId(), (int)(8 * sizeof(void *)));
    emit(line);
    /* The first TLS probe makes Wine allocate the thread's expansion slot array (8 KiB) once;
     * do it before the first sample so that it is not taken for the first cycle's heap. */
    tls_indexes(line, sizeof line);
    sample(0, 1);
    for (cycle = 1; cycle <= cycles; cycle++) {
        HMODULE module;
        int unloaded;
        snprintf(line, sizeof line, "{\"event\":\"loading\",\"cycle\":%d}", cycle);
        emit(line);
        module = LoadLibraryA(target);
        if (!module) {
            emit_error("load", "LoadLibrary failed", GetLastError());
            return 3;
        }
        if (strcmp(call, "-") != 0) {
            snprintf(line, sizeof line, "{\"event\":\"calling\",\"cycle\":%d}", cycle);
            emit(line);
            if (strcmp(call, "blas") == 0) {
                if (!call_blas(module))
                    return 3;
            } else {
                no_arg_fn function = (no_arg_fn)(void (*)(void))GetProcAddress(module, call);
                if (!function) {
                    char what[600];
                    snprintf(what, sizeof what, "the DLL exports no %s", call);
                    emit_error("call", what, GetLastError());
                    return 3;
                }
                function();
            }
        }
        snprintf(line, sizeof line, "{\"event\":\"unloading\",\"cycle\":%d}", cycle);
        emit(line);
        if (!FreeLibrary(module)) {
            emit_error("unload", "FreeLibrary failed", GetLastError());
            return 3;
        }
        /* Still mapped after our only reference is gone: pinned (GET_MODULE_HANDLE_EX_FLAG_PIN,
         * a reference taken by its own constructor) or otherwise kept. */
        unloaded = GetModuleHandleA(target) == NULL;
        sample(cycle, unloaded);
    }
    emit("{\"event\":\"done\"}");
    return 0;
}
