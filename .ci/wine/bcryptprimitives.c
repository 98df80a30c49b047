/*
 * bcryptprimitives.dll for Wine 8, which lacks ProcessPrng: the Go runtime
 * (1.22 and later) needs it at start-up to fill random bytes. It forwards to
 * advapi32's SystemFunction036 (RtlGenRandom), which Wine has. Built by
 * .ci/run with mingw-w64 and used only to run Windows test binaries in CI.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
	while (length > 0) {
		ULONG chunk = length > 0x40000000 ? 0x40000000 : (ULONG)length;
		if (!SystemFunction036(data, chunk))
			return FALSE;
		data += chunk;
		length -= chunk;
	}
	return TRUE;
}
