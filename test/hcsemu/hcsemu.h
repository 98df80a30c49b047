/*
 * hcsemu: an emulator of the Host Compute Service's v1 API, built as
 * vmcompute.dll for Wine, so that hcsshim's real code (its callbacks and
 * notification channels, its pending handling, the HRESULTs it turns into
 * errors), this library's binding and moby's dockerd run containers on
 * Linux CI. Tests use it; the library never does.
 *
 * Its parts, one file an area of HCS:
 *   compute.c  compute systems, their notifications and callbacks, and
 *              the DLL's entry (compute.h is what it shares with process.c);
 *   process.c  the systems' processes, their pipes and their exits;
 *   faults.c   the faults tests inject, through its exports or, from
 *              another process, its control pipe (HCSEMU_CONTROL), and
 *              the count of every export's calls;
 *   layers.c   the container storage calls (wclayer): layers are folders;
 *   hns.c      the Host Network Service's v1 call, HNSCall: networks,
 *              endpoints and the rest in memory;
 *   simulate.c processes simulated in the DLL (HCSEMU_SIMULATE=1), for
 *              benchmarks that must not measure Wine starting programs.
 * This header is what they share.
 */
#ifndef HCSEMU_H
#define HCSEMU_H

#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>

/* The one lock of the emulator's state, every part's. */
extern CRITICAL_SECTION lock;

/* fault counts a call of op (an export's name; HcsemuCallCounts reports
 * them) and applies the first fault a test injected for it: its delay,
 * then its answer, or S_OK. Every export calls it first, without the lock
 * held. */
HRESULT fault(const WCHAR *op);

/* serve_control_pipe serves the control pipe HCSEMU_CONTROL names, if
 * any, on a thread of its own (faults.c); the DLL's entry calls it. */
void serve_control_pipe(void);

/* RETURN_IF_FAULT returns from the export the answer injected for op, if
 * there is one (the name of WIL's RETURN_IF_FAILED). */
#define RETURN_IF_FAULT(op)                                                                                            \
    do {                                                                                                               \
        HRESULT injected_ = fault(op);                                                                                 \
        if (injected_ != S_OK)                                                                                         \
            return injected_;                                                                                          \
    } while (0)

/* set_result answers an export's result document: none. */
void set_result(PWSTR *result);

/* dup_string copies s into memory the caller frees as HCS's answers. */
PWSTR dup_string(const WCHAR *s);

/* json_string copies the string value of key in doc, unescaped, into out
 * and answers 1; 0 when doc has no such key, -1 when the value is
 * malformed or does not fit in size characters. A reader of the documents
 * hcsshim writes, not of any JSON: it finds the first "key":" anywhere. */
int json_string(PCWSTR doc, const WCHAR *key, WCHAR *out, size_t size);

/* simulating is set (HCSEMU_SIMULATE=1) when processes are simulated. */
extern int simulating;

/* simulate starts a simulated process running command_line's script with
 * the process's pipe ends (each may be NULL), which it owns and closes at
 * its end; it returns a thread handle, signalled at the process's end, whose
 * exit code is the process's. Setting kill ends it with *kill_code. */
HANDLE simulate(const WCHAR *command_line, HANDLE in, HANDLE out, HANDLE err, HANDLE kill, const volatile LONG *kill_code);

typedef struct {
    DWORD Data1;
    WORD Data2, Data3;
    BYTE Data4[8];
} guid;

HRESULT WINAPI NameToGuid(PCWSTR name, guid *out);

#endif
