/*
 * hcsemu's faults, which tests inject through its control exports
 * (HcsemuInjectFault, HcsemuInjectHang, ...) or, from another process,
 * through its control pipe (HCSEMU_CONTROL, below), and the count of every
 * export's calls (HcsemuCallCounts). Every export of every part calls fault
 * first (hcsemu.h).
 */
#include "hcsemu.h"

/* A fault makes the next `times` calls of an export (all, for 0) wait
 * delay_ms and then answer hr without doing anything; for the operations
 * HCS may finish asynchronously (create, start, shutdown, terminate, pause,
 * resume), HCS_E_OPERATION_PENDING does the work and answers pending. */
struct fault {
    WCHAR op[64];
    HRESULT hr;
    DWORD delay_ms;
    int hang; /* hold the call until HcsemuReleaseHangs, then answer hr */
    int times;
    struct fault *next;
};

static struct fault *faults;

/* Held calls wait for hang_generation to move on; lock guards both. */
static CONDITION_VARIABLE hangs_released = CONDITION_VARIABLE_INIT;
static LONG hang_generation;
static LONG held_calls;

static void add_fault(struct fault *f) {
    EnterCriticalSection(&lock);
    struct fault **last = &faults;
    while (*last)
        last = &(*last)->next;
    *last = f;
    LeaveCriticalSection(&lock);
}

/* HcsemuInjectFault is the emulator's control: tests call it to make HCS
 * fail, answer pending or be slow. */
__declspec(dllexport) HRESULT WINAPI HcsemuInjectFault(PCWSTR op, HRESULT hr, DWORD delay_ms, int times) {
    struct fault *f = calloc(1, sizeof *f);
    wcsncpy(f->op, op, 63);
    f->hr = hr;
    f->delay_ms = delay_ms;
    f->times = times;
    add_fault(f);
    return S_OK;
}

/* HcsemuInjectHang makes the next `times` calls of an export (all, for 0)
 * wait inside the emulator, as calls HCS never answers do, until
 * HcsemuReleaseHangs; then they do their work as usual. */
__declspec(dllexport) HRESULT WINAPI HcsemuInjectHang(PCWSTR op, int times) {
    struct fault *f = calloc(1, sizeof *f);
    wcsncpy(f->op, op, 63);
    f->hang = 1;
    f->times = times;
    add_fault(f);
    return S_OK;
}

/* HcsemuReleaseHangs lets every call held now go on. */
__declspec(dllexport) HRESULT WINAPI HcsemuReleaseHangs(void) {
    EnterCriticalSection(&lock);
    hang_generation++;
    WakeAllConditionVariable(&hangs_released);
    LeaveCriticalSection(&lock);
    return S_OK;
}

/* HcsemuHeldCalls is how many calls are held now. */
__declspec(dllexport) DWORD WINAPI HcsemuHeldCalls(void) {
    EnterCriticalSection(&lock);
    DWORD n = (DWORD)held_calls;
    LeaveCriticalSection(&lock);
    return n;
}

__declspec(dllexport) HRESULT WINAPI HcsemuClearFaults(void) {
    EnterCriticalSection(&lock);
    faults = NULL; /* leaked: a test process is short-lived */
    LeaveCriticalSection(&lock);
    return S_OK;
}

/* The calls of each export, counted in fault, which every HCS export calls
 * first. lock guards them. */
struct call_count {
    WCHAR op[64];
    DWORD calls;
    struct call_count *next;
};

static struct call_count *call_counts;

/* count_call counts a call of op. lock is held. */
static void count_call(const WCHAR *op) {
    struct call_count **c = &call_counts;
    while (*c && wcscmp((*c)->op, op) != 0)
        c = &(*c)->next;
    if (!*c) {
        *c = calloc(1, sizeof **c);
        wcsncpy((*c)->op, op, 63);
    }
    (*c)->calls++;
}

/* HcsemuCallCounts reports how many times each export was called since
 * the last HcsemuResetCallCounts, a line "EXPORT COUNT" each, in the order
 * of their first calls; the caller frees the text as HCS's answers. */
__declspec(dllexport) HRESULT WINAPI HcsemuCallCounts(PWSTR *counts) {
    EnterCriticalSection(&lock);
    size_t n = 1;
    for (struct call_count *c = call_counts; c; c = c->next)
        n += wcslen(c->op) + 16;
    PWSTR text = calloc(n, sizeof(WCHAR));
    for (struct call_count *c = call_counts; c; c = c->next)
        swprintf(text + wcslen(text), n - wcslen(text), L"%ls %lu\n", c->op, (unsigned long)c->calls);
    LeaveCriticalSection(&lock);
    *counts = dup_string(text);
    free(text);
    return S_OK;
}

__declspec(dllexport) HRESULT WINAPI HcsemuResetCallCounts(void) {
    EnterCriticalSection(&lock);
    for (struct call_count *c = call_counts; c; c = c->next)
        c->calls = 0;
    LeaveCriticalSection(&lock);
    return S_OK;
}

/* calls_of is how many times op was called. lock is held. */
static DWORD calls_of(const WCHAR *op) {
    for (struct call_count *c = call_counts; c; c = c->next)
        if (wcscmp(c->op, op) == 0)
            return c->calls;
    return 0;
}

/* ---- the control pipe -------------------------------------------------
 * A process that never calls the control exports (dockerd) is driven from
 * another one (a test harness) through a named pipe: with HCSEMU_CONTROL
 * set to a pipe's name (\\.\pipe\NAME) when the emulator loads, it
 * serves that pipe. Each connection carries one command, a line of text,
 * and gets one answer line:
 *   hang EXPORT TIMES                 ok        (HcsemuInjectHang)
 *   fail EXPORT HRESULT DELAY TIMES   ok        (HcsemuInjectFault; the
 *                                               HRESULT in hexadecimal, the
 *                                               delay in milliseconds)
 *   release                           ok        (HcsemuReleaseHangs)
 *   clear                             ok        (HcsemuClearFaults; calls
 *                                               held stay held until release)
 *   held                              N         (HcsemuHeldCalls)
 *   calls EXPORT                      N         (of HcsemuCallCounts)
 * and "error: ..." for anything else. TIMES 0 means every call. Unset, no
 * pipe is served. Every process that loads the emulator with the variable
 * set serves the name: give each its own. */

/* control carries out one command line and writes its answer. The client
 * reads the answer line and closes its end. */
static void control(const char *line, char *answer, size_t size) {
    char verb[16] = "", op[64] = "";
    WCHAR wop[64] = L"";
    unsigned long hr = 0, delay = 0;
    int times = 0, n = sscanf(line, "%15s %63s", verb, op);
    if (n == 2)
        MultiByteToWideChar(CP_UTF8, 0, op, -1, wop, 64);
    if (strcmp(verb, "hang") == 0 && sscanf(line, "%*s %*s %d", &times) == 1 && times >= 0) {
        HcsemuInjectHang(wop, times);
        snprintf(answer, size, "ok\n");
    } else if (strcmp(verb, "fail") == 0 && sscanf(line, "%*s %*s %lx %lu %d", &hr, &delay, &times) == 3 && times >= 0) {
        HcsemuInjectFault(wop, (HRESULT)hr, (DWORD)delay, times);
        snprintf(answer, size, "ok\n");
    } else if (strcmp(verb, "release") == 0 && n == 1) {
        HcsemuReleaseHangs();
        snprintf(answer, size, "ok\n");
    } else if (strcmp(verb, "clear") == 0 && n == 1) {
        HcsemuClearFaults();
        snprintf(answer, size, "ok\n");
    } else if (strcmp(verb, "held") == 0 && n == 1) {
        snprintf(answer, size, "%lu\n", (unsigned long)HcsemuHeldCalls());
    } else if (strcmp(verb, "calls") == 0 && n == 2) {
        EnterCriticalSection(&lock);
        DWORD calls = calls_of(wop);
        LeaveCriticalSection(&lock);
        snprintf(answer, size, "%lu\n", (unsigned long)calls);
    } else {
        snprintf(answer, size, "error: not a command: %.64s\n", line);
    }
}

/* serve_control answers the connections of pipe, the control pipe, one
 * at a time, for as long as the process lives. */
static DWORD WINAPI serve_control(void *pipe) {
    for (;;) {
        if (ConnectNamedPipe(pipe, NULL) || GetLastError() == ERROR_PIPE_CONNECTED) {
            char line[256];
            DWORD n = 0, got;
            while (n < sizeof line - 1 && ReadFile(pipe, line + n, (DWORD)(sizeof line - 1 - n), &got, NULL) && got > 0) {
                n += got;
                if (memchr(line, '\n', n))
                    break;
            }
            line[n] = 0;
            line[strcspn(line, "\r\n")] = 0;
            char answer[128];
            control(line, answer, sizeof answer);
            DWORD wrote;
            WriteFile(pipe, answer, (DWORD)strlen(answer), &wrote, NULL);
            /* Disconnecting drops what the client has not read: wait for
             * it to read the answer and close its end. */
            while (ReadFile(pipe, line, sizeof line, &got, NULL) && got > 0)
                ;
        }
        DisconnectNamedPipe(pipe);
    }
    return 0; /* not reached */
}

/* serve_control_pipe makes the control pipe as the emulator loads, so that
 * it exists once the process called an export, and serves it on a thread
 * of its own. One instance: a client that finds it busy waits for it
 * (WaitNamedPipe). */
void serve_control_pipe(void) {
    WCHAR name[MAX_PATH];
    DWORD n = GetEnvironmentVariableW(L"HCSEMU_CONTROL", name, MAX_PATH);
    if (n == 0 || n >= MAX_PATH)
        return;
    HANDLE pipe = CreateNamedPipeW(name, PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE | PIPE_WAIT, 1, 512, 512, 0, NULL);
    if (pipe == INVALID_HANDLE_VALUE) {
        fprintf(stderr, "hcsemu: cannot serve %ls: error %lu\n", name, GetLastError());
        return;
    }
    HANDLE thread = CreateThread(NULL, 0, serve_control, pipe, 0, NULL);
    if (thread)
        CloseHandle(thread);
}

HRESULT fault(const WCHAR *op) {
    HRESULT hr = S_OK;
    DWORD delay = 0;
    int hang = 0;
    EnterCriticalSection(&lock);
    count_call(op);
    for (struct fault **f = &faults; *f; f = &(*f)->next) {
        if (wcscmp((*f)->op, op) != 0)
            continue;
        hr = (*f)->hr;
        delay = (*f)->delay_ms;
        hang = (*f)->hang;
        if ((*f)->times > 0 && --(*f)->times == 0)
            *f = (*f)->next;
        break;
    }
    if (hang) {
        LONG generation = hang_generation;
        held_calls++;
        while (hang_generation == generation)
            SleepConditionVariableCS(&hangs_released, &lock, INFINITE);
        held_calls--;
    }
    LeaveCriticalSection(&lock);
    if (delay)
        Sleep(delay);
    return hr;
}
