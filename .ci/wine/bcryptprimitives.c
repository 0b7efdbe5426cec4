/* Wine 8 has no bcryptprimitives.dll, whose ProcessPrng Rust's standard
 * library imports for its random seeds; without it no Rust program starts
 * there. This stand-in, put beside the .exe under test, provides ProcessPrng
 * on top of RtlGenRandom (advapi32's SystemFunction036). For running the
 * Windows build under Wine in CI only: Windows 10 and later have the real one.
 *
 * x86_64-w64-mingw32-gcc -shared -o bcryptprimitives.dll bcryptprimitives.c -ladvapi32
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG n = length > 0x7fffffff ? 0x7fffffff : (ULONG)length;
        if (!SystemFunction036(data, n))
            return FALSE;
        data += n;
        length -= n;
    }
    return TRUE;
}
