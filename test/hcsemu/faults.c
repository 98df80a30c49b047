/*
 * hcsemu's faults, which tests inject through its control exports
 * (HcsemuInjectFault, HcsemuInjectHang, ...), and the count of every
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
