/* Stand-in for Windows' bcryptprimitives.dll, used only to run blastool build's smoke program
   under a Wine that lacks it (Wine before 9.0, e.g. Debian 12's 8.0). Rust's standard library
   (1.78 and later) imports ProcessPrng from it; real Windows 10 and later ship it, so nothing
   of this file is installed. It forwards to RtlGenRandom (advapi32's SystemFunction036), which
   every Wine has. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    /* RtlGenRandom takes a ULONG length: feed it in chunks. */
    while (length > 0) {
        ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk)) {
            return FALSE;
        }
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
