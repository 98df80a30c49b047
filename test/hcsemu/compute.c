/*
 * hcsemu's compute systems and processes, as hcsshim's legacy API sees HCS:
 *   - compute systems: created, running, paused (Hyper-V only), stopped;
 *     create, start, pause and resume answer synchronously; shutdown and
 *     terminate answer S_OK and end the system's processes, then the system,
 *     on a worker thread; a stop of a stopped system answers
 *     HCS_E_SYSTEM_ALREADY_STOPPED as hcsshim matches it (0xC0370110);
 *   - several handles per system and per process, each with its own
 *     callback registration; each registration gets each notification once
 *     (system exited, process exited), from the worker thread, never while
 *     the emulator holds its lock, never after its unregister returned, and
 *     at registration when the event came first;
 *   - processes (process.c) are real Wine processes, run from the
 *     document's command line, with overlapped pipes handed to the caller
 *     (go-winio opens them on a completion port); their exit codes are real;
 *   - statistics and the process list; open of a system another handle
 *     created (restore);
 *   - a system is gone once it stopped and its last handle (its own or a
 *     process's) closed: its id can be created again, as `docker start`
 *     of an exited container does.
 */
#include "compute.h"

#define NOTIFY_SYSTEM_EXITED 0x00000001
#define NOTIFY_PROCESS_EXITED 0x00010000

typedef DWORD(CALLBACK *hcs_callback)(DWORD type, void *context, HRESULT status, PCWSTR data);

/* A callback registration of one handle. */
struct registration {
    hcs_callback callback;
    void *context;
    struct handle *handle;
    int active;   /* until unregistered */
    int inflight; /* deliveries running now */
    int exited;   /* the exit notification was queued or sent */
    struct registration *next;
};

struct notification {
    struct registration *reg;
    DWORD type;
    struct notification *next;
};

CRITICAL_SECTION lock;
CONDITION_VARIABLE changed;
static struct system *systems;
static struct registration *registrations;
static struct notification *queue_head, *queue_tail;
static HANDLE worker;
static LONG open_handles; /* of systems and processes, guarded by lock */

#define NOTIFY_SYSTEM_CREATE_COMPLETED 0x00000002
#define NOTIFY_SYSTEM_START_COMPLETED 0x00000003
#define NOTIFY_SYSTEM_PAUSE_COMPLETED 0x00000004
#define NOTIFY_SYSTEM_RESUME_COMPLETED 0x00000005

/* ---- notifications --------------------------------------------------- */

/* queue queues a notification for reg. lock is held. */
static void queue(struct registration *reg, DWORD type) {
    struct notification *n = calloc(1, sizeof *n);
    n->reg = reg;
    n->type = type;
    if (queue_tail)
        queue_tail->next = n;
    else
        queue_head = n;
    queue_tail = n;
    WakeAllConditionVariable(&changed);
}

/* queue_exit queues the exit notification of reg once. lock is held. */
static void queue_exit(struct registration *reg, DWORD type) {
    if (!reg->active || reg->exited)
        return;
    reg->exited = 1;
    queue(reg, type);
}

/* complete queues the completion of an operation that answered pending to
 * the registrations of handle h, or keeps it for the first one. lock is
 * held. */
static void complete(struct handle *h, DWORD type) {
    int sent = 0;
    for (struct registration *r = registrations; r; r = r->next)
        if (r->handle == h && r->active) {
            queue(r, type);
            sent = 1;
        }
    if (!sent)
        h->deferred = type;
}

static int handle_is_of(struct handle *h, struct system *sys, struct process *proc) {
    return proc ? (h->is_process && h->proc == proc) : (!h->is_process && h->sys == sys);
}

/* notify_exit queues the exit of sys (proc NULL) or of proc to every
 * registration on their handles. lock is held. */
void notify_exit(struct system *sys, struct process *proc) {
    for (struct registration *r = registrations; r; r = r->next)
        if (handle_is_of(r->handle, sys, proc))
            queue_exit(r, proc ? NOTIFY_PROCESS_EXITED : NOTIFY_SYSTEM_EXITED);
}

static DWORD WINAPI deliver(void *unused) {
    (void)unused;
    EnterCriticalSection(&lock);
    for (;;) {
        while (!queue_head)
            SleepConditionVariableCS(&changed, &lock, INFINITE);
        struct notification *n = queue_head;
        queue_head = n->next;
        if (!queue_head)
            queue_tail = NULL;
        struct registration *r = n->reg;
        if (r->active) {
            r->inflight++;
            LeaveCriticalSection(&lock);
            r->callback(n->type, r->context, S_OK, NULL);
            EnterCriticalSection(&lock);
            r->inflight--;
            WakeAllConditionVariable(&changed);
        }
        free(n);
    }
    return 0;
}

static void start_worker(void) {
    if (!worker)
        worker = CreateThread(NULL, 0, deliver, NULL, 0, NULL);
}

/* ---- documents --------------------------------------------------------- */

void set_result(PWSTR *result) {
    if (result)
        *result = NULL;
}

PWSTR dup_string(const WCHAR *s) {
    size_t n = wcslen(s) + 1;
    PWSTR out = LocalAlloc(LMEM_FIXED, n * sizeof(WCHAR));
    memcpy(out, s, n * sizeof(WCHAR));
    return out;
}

/* json_bool reports whether the document sets key to true. */
int json_bool(PCWSTR doc, const WCHAR *key) {
    WCHAR pattern[128];
    swprintf(pattern, 128, L"\"%ls\":true", key);
    return doc && wcsstr(doc, pattern) != NULL;
}

/* unescape reads the escape sequence at p (after its backslash) into *c
 * and returns what follows it; NULL for a malformed one. */
static const WCHAR *unescape(const WCHAR *p, WCHAR *c) {
    switch (*p) {
    case L'"': *c = L'"'; return p + 1;
    case L'\\': *c = L'\\'; return p + 1;
    case L'/': *c = L'/'; return p + 1;
    case L'b': *c = L'\b'; return p + 1;
    case L'f': *c = L'\f'; return p + 1;
    case L'n': *c = L'\n'; return p + 1;
    case L'r': *c = L'\r'; return p + 1;
    case L't': *c = L'\t'; return p + 1;
    case L'u': {
        unsigned v = 0;
        for (int k = 1; k <= 4; k++) {
            WCHAR h = p[k];
            if (!iswxdigit(h))
                return NULL; /* the string's end included */
            v = v * 16 + (unsigned)(h <= L'9' ? h - L'0' : (h | 0x20) - L'a' + 10);
        }
        *c = (WCHAR)v;
        return p + 5;
    }
    }
    return NULL;
}

int json_string(PCWSTR doc, const WCHAR *key, WCHAR *out, size_t size) {
    WCHAR pattern[128];
    swprintf(pattern, 128, L"\"%ls\":\"", key);
    const WCHAR *p = doc ? wcsstr(doc, pattern) : NULL;
    if (!p)
        return 0;
    p += wcslen(pattern);
    size_t n = 0;
    while (*p != L'"') {
        WCHAR c = *p;
        if (!c)
            return -1; /* no closing quote */
        if (c == L'\\') {
            p = unescape(p + 1, &c);
            if (!p)
                return -1;
        } else {
            p++;
        }
        if (n + 1 >= size)
            return -1; /* longer than out */
        out[n++] = c;
    }
    out[n] = 0;
    return 1;
}

/* ---- systems ----------------------------------------------------------- */

static struct system *find_system(PCWSTR id) {
    for (struct system *s = systems; s; s = s->next)
        if (wcscmp(s->id, id) == 0)
            return s;
    return NULL;
}

struct handle *new_handle(struct system *sys, struct process *proc) {
    open_handles++;
    sys->handles++;
    struct handle *h = calloc(1, sizeof *h);
    h->is_process = proc != NULL;
    h->sys = sys;
    h->proc = proc;
    return h;
}

/* system_of checks a system handle. lock is held. */
struct system *system_of(void *handle) {
    struct handle *h = handle;
    if (!h || h->is_process || h->closed)
        return NULL;
    return h->sys;
}

struct process *process_of(void *handle) {
    struct handle *h = handle;
    if (!h || !h->is_process || h->closed)
        return NULL;
    return h->proc;
}

/* live_system checks a handle for an operation on a system that has not
 * stopped: E_HANDLE for a closed handle or a process's,
 * HCS_E_SYSTEM_ALREADY_STOPPED for a stopped system. lock is held. */
HRESULT live_system(void *handle, struct system **s) {
    *s = system_of(handle);
    if (!*s)
        return E_HANDLE;
    if ((*s)->state == STOPPED)
        return HCS_E_SYSTEM_ALREADY_STOPPED;
    return S_OK;
}

__declspec(dllexport) HRESULT WINAPI HcsCreateComputeSystem(PCWSTR id, PCWSTR configuration, HANDLE identity, void **system, PWSTR *result) {
    HRESULT injected = fault(L"HcsCreateComputeSystem"); /* pending: done, and notified */
    if (injected != S_OK && injected != HCS_E_OPERATION_PENDING)
        return injected;
    (void)identity;
    set_result(result);
    EnterCriticalSection(&lock);
    start_worker();
    if (find_system(id)) {
        LeaveCriticalSection(&lock);
        return HCS_E_SYSTEM_ALREADY_EXISTS;
    }
    struct system *s = calloc(1, sizeof *s);
    wcsncpy(s->id, id, 255);
    s->hyperv = json_bool(configuration, L"HvPartition");
    s->state = CREATED;
    s->next = systems;
    systems = s;
    *system = new_handle(s, NULL);
    if (injected == HCS_E_OPERATION_PENDING)
        complete(*system, NOTIFY_SYSTEM_CREATE_COMPLETED);
    LeaveCriticalSection(&lock);
    return injected;
}

__declspec(dllexport) HRESULT WINAPI HcsOpenComputeSystem(PCWSTR id, void **system, PWSTR *result) {
    RETURN_IF_FAULT(L"HcsOpenComputeSystem");
    set_result(result);
    EnterCriticalSection(&lock);
    start_worker();
    struct system *s = find_system(id);
    if (!s) {
        LeaveCriticalSection(&lock);
        return HCS_E_SYSTEM_NOT_FOUND;
    }
    *system = new_handle(s, NULL);
    LeaveCriticalSection(&lock);
    return S_OK;
}

/* forget_if_gone takes a stopped system without handles off the list:
 * HCS has deleted it. It stays allocated for the closed handles that still
 * point at it. lock is held. */
static void forget_if_gone(struct system *s) {
    if (s->state != STOPPED || s->handles > 0)
        return;
    for (struct system **at = &systems; *at; at = &(*at)->next)
        if (*at == s) {
            *at = s->next;
            return;
        }
}

/* close_handle closes a system's handle or a process's; closing twice is
 * not an error. */
HRESULT close_handle(struct handle *h, int is_process) {
    EnterCriticalSection(&lock);
    if (h && h->is_process == is_process && !h->closed) {
        h->closed = 1;
        open_handles--;
        h->sys->handles--;
        forget_if_gone(h->sys);
    }
    LeaveCriticalSection(&lock);
    return S_OK;
}

__declspec(dllexport) HRESULT WINAPI HcsCloseComputeSystem(void *system) {
    RETURN_IF_FAULT(L"HcsCloseComputeSystem");
    return close_handle(system, 0);
}

/* transition moves a system from one state to another, as Start, Pause and
 * Resume do; Pause and Resume only for a Hyper-V system. */
static HRESULT transition(const WCHAR *op, DWORD completion, void *system, enum state from, enum state to, int hyperv_only,
                          PWSTR *result) {
    set_result(result);
    HRESULT injected = fault(op); /* pending: done, and notified */
    if (injected != S_OK && injected != HCS_E_OPERATION_PENDING)
        return injected;
    EnterCriticalSection(&lock);
    struct system *s;
    HRESULT hr = live_system(system, &s);
    if (hr == S_OK && ((hyperv_only && !s->hyperv) || s->state != from || s->stopping))
        hr = HCS_E_INVALID_STATE;
    if (hr == S_OK)
        s->state = to;
    if (hr == S_OK && injected == HCS_E_OPERATION_PENDING) {
        complete(system, completion);
        hr = injected;
    }
    LeaveCriticalSection(&lock);
    return hr;
}

__declspec(dllexport) HRESULT WINAPI HcsStartComputeSystem(void *system, PCWSTR options, PWSTR *result) {
    (void)options;
    return transition(L"HcsStartComputeSystem", NOTIFY_SYSTEM_START_COMPLETED, system, CREATED, RUNNING, 0, result);
}

/* finish_stop ends a stopping system's processes, then the system. */
static DWORD WINAPI finish_stop(void *arg) {
    struct system *s = arg;
    EnterCriticalSection(&lock);
    for (struct process *p = s->processes; p; p = p->next)
        if (!p->exited)
            end_process(p, STATUS_CONTROL_C_EXIT); /* a shutdown's and a termination's alike, as HCS's */
    /* Wait for the process watchers to see every exit. */
    for (;;) {
        int running = 0;
        for (struct process *p = s->processes; p; p = p->next)
            running |= !p->exited;
        if (!running)
            break;
        SleepConditionVariableCS(&changed, &lock, INFINITE);
    }
    s->state = STOPPED;
    s->stopping = 0;
    notify_exit(s, NULL);
    forget_if_gone(s);
    LeaveCriticalSection(&lock);
    return 0;
}

static HRESULT stop(const WCHAR *op, void *system, PWSTR *result) {
    set_result(result);
    HRESULT injected = fault(op);
    if (injected != S_OK && injected != HCS_E_OPERATION_PENDING)
        return injected;
    EnterCriticalSection(&lock);
    struct system *s;
    HRESULT hr = live_system(system, &s);
    if (hr == S_OK && !s->stopping) {
        s->stopping = 1;
        CloseHandle(CreateThread(NULL, 0, finish_stop, s, 0, NULL));
    }
    LeaveCriticalSection(&lock);
    return hr == S_OK ? injected : hr;
}

__declspec(dllexport) HRESULT WINAPI HcsShutdownComputeSystem(void *system, PCWSTR options, PWSTR *result) {
    (void)options;
    return stop(L"HcsShutdownComputeSystem", system, result);
}

__declspec(dllexport) HRESULT WINAPI HcsTerminateComputeSystem(void *system, PCWSTR options, PWSTR *result) {
    (void)options;
    return stop(L"HcsTerminateComputeSystem", system, result);
}

__declspec(dllexport) HRESULT WINAPI HcsPauseComputeSystem(void *system, PCWSTR options, PWSTR *result) {
    (void)options;
    return transition(L"HcsPauseComputeSystem", NOTIFY_SYSTEM_PAUSE_COMPLETED, system, RUNNING, PAUSED, 1, result);
}

__declspec(dllexport) HRESULT WINAPI HcsResumeComputeSystem(void *system, PCWSTR options, PWSTR *result) {
    (void)options;
    return transition(L"HcsResumeComputeSystem", NOTIFY_SYSTEM_RESUME_COMPLETED, system, PAUSED, RUNNING, 1, result);
}

static const WCHAR *state_name(enum state st) {
    switch (st) {
    case CREATED: return L"Created";
    case RUNNING: return L"Running";
    case PAUSED: return L"Paused";
    default: return L"Stopped";
    }
}

/* append adds text to the document in buf, unless it does not fit: then
 * it answers 0 and the document's caller fails rather than truncating. */
static int append(WCHAR *buf, size_t size, const WCHAR *text) {
    size_t n = wcslen(buf);
    if (n + wcslen(text) + 1 >= size)
        return 0;
    wcscat(buf, text);
    return 1;
}

/* ERROR_INSUFFICIENT_BUFFER: an answer longer than the emulator's buffer. */
#define E_ANSWER_TOO_LONG HRESULT_FROM_WIN32(ERROR_INSUFFICIENT_BUFFER)

/* iso8601 formats t as JSON's time. */
static void iso8601(FILETIME t, WCHAR *out, size_t size) {
    SYSTEMTIME st;
    FileTimeToSystemTime(&t, &st);
    swprintf(out, size, L"%04u-%02u-%02uT%02u:%02u:%02u.%03uZ", st.wYear, st.wMonth, st.wDay, st.wHour, st.wMinute,
             st.wSecond, st.wMilliseconds);
}

__declspec(dllexport) HRESULT WINAPI HcsGetComputeSystemProperties(void *system, PCWSTR query, PWSTR *properties, PWSTR *result) {
    RETURN_IF_FAULT(L"HcsGetComputeSystemProperties");
    set_result(result);
    static WCHAR buf[65536];
    EnterCriticalSection(&lock);
    struct system *s = system_of(system);
    if (!s) {
        LeaveCriticalSection(&lock);
        return E_HANDLE;
    }
    int stats = query && wcsstr(query, L"\"Statistics\"");
    int list = query && wcsstr(query, L"\"ProcessList\"");
    if ((stats || list) && s->state != RUNNING && s->state != PAUSED) {
        HRESULT hr = s->state == STOPPED ? HCS_E_SYSTEM_ALREADY_STOPPED : HCS_E_INVALID_STATE;
        LeaveCriticalSection(&lock);
        return hr;
    }
    swprintf(buf, 65536, L"{\"Id\":\"%ls\",\"SystemType\":\"Container\",\"RuntimeOsType\":\"Windows\",\"State\":\"%ls\"", s->id,
             state_name(s->state));
    FILETIME now;
    GetSystemTimeAsFileTime(&now);
    WCHAR when[64], item[1024];
    int fits = 1;
    if (stats) {
        int running = 0;
        for (struct process *p = s->processes; p; p = p->next)
            running += !p->exited;
        iso8601(now, when, 64);
        swprintf(item, 1024,
                 L",\"Statistics\":{\"Timestamp\":\"%ls\",\"Uptime100ns\":1,\"Memory\":{\"MemoryUsageCommitBytes\":%d,"
                 L"\"MemoryUsageCommitPeakBytes\":%d,\"MemoryUsagePrivateWorkingSetBytes\":%d},\"Processor\":{\"TotalRuntime100ns\":1}}",
                 when, running * 8388608, running * 8388608, running * 4194304);
        fits &= append(buf, 65536, item);
    }
    if (list) {
        fits &= append(buf, 65536, L",\"ProcessList\":[");
        int first = 1;
        for (struct process *p = s->processes; p; p = p->next) {
            if (p->exited)
                continue;
            iso8601(p->created, when, 64);
            swprintf(item, 1024, L"%ls{\"ProcessId\":%lu,\"ImageName\":\"%ls\",\"CreateTimestamp\":\"%ls\",\"MemoryCommitBytes\":8388608}",
                     first ? L"" : L",", (unsigned long)p->pid, p->image, when);
            fits &= append(buf, 65536, item);
            first = 0;
        }
        fits &= append(buf, 65536, L"]");
    }
    fits &= append(buf, 65536, L"}");
    if (fits)
        *properties = dup_string(buf);
    LeaveCriticalSection(&lock);
    return fits ? S_OK : E_ANSWER_TOO_LONG;
}

__declspec(dllexport) HRESULT WINAPI HcsModifyComputeSystem(void *system, PCWSTR configuration, PWSTR *result) {
    RETURN_IF_FAULT(L"HcsModifyComputeSystem");
    (void)system;
    (void)configuration;
    set_result(result);
    return S_OK;
}

__declspec(dllexport) HRESULT WINAPI HcsEnumerateComputeSystems(PCWSTR query, PWSTR *list, PWSTR *result) {
    RETURN_IF_FAULT(L"HcsEnumerateComputeSystems");
    (void)query;
    set_result(result);
    static WCHAR buf[65536];
    WCHAR item[512];
    EnterCriticalSection(&lock);
    wcscpy(buf, L"[");
    int fits = 1;
    for (struct system *s = systems; s; s = s->next) {
        swprintf(item, 512, L"%ls{\"Id\":\"%ls\",\"State\":\"%ls\"}", buf[1] ? L"," : L"", s->id, state_name(s->state));
        fits &= append(buf, 65536, item);
    }
    fits &= append(buf, 65536, L"]");
    if (fits)
        *list = dup_string(buf);
    LeaveCriticalSection(&lock);
    return fits ? S_OK : E_ANSWER_TOO_LONG;
}

/* ---- callbacks --------------------------------------------------------- */

static HRESULT register_callback(void *handle, hcs_callback callback, void *context, void **registration, int is_process) {
    EnterCriticalSection(&lock);
    start_worker();
    struct handle *h = handle;
    if (!h || h->closed || h->is_process != is_process) {
        LeaveCriticalSection(&lock);
        return E_HANDLE;
    }
    struct registration *r = calloc(1, sizeof *r);
    r->callback = callback;
    r->context = context;
    r->handle = h;
    r->active = 1;
    r->next = registrations;
    registrations = r;
    /* A completion or an exit that came before the registration is
     * queued now. */
    if (h->deferred) {
        queue(r, h->deferred);
        h->deferred = 0;
    }
    if (is_process ? h->proc->exited : h->sys->state == STOPPED)
        queue_exit(r, is_process ? NOTIFY_PROCESS_EXITED : NOTIFY_SYSTEM_EXITED);
    *registration = r;
    LeaveCriticalSection(&lock);
    return S_OK;
}

/* unregister_callback returns once no delivery to the registration runs
 * and none will. */
static HRESULT unregister_callback(void *registration) {
    struct registration *r = registration;
    EnterCriticalSection(&lock);
    if (r) {
        r->active = 0;
        while (r->inflight > 0)
            SleepConditionVariableCS(&changed, &lock, INFINITE);
    }
    LeaveCriticalSection(&lock);
    return S_OK;
}

__declspec(dllexport) HRESULT WINAPI HcsRegisterComputeSystemCallback(void *system, hcs_callback callback, void *context, void **registration) {
    RETURN_IF_FAULT(L"HcsRegisterComputeSystemCallback");
    return register_callback(system, callback, context, registration, 0);
}

__declspec(dllexport) HRESULT WINAPI HcsUnregisterComputeSystemCallback(void *registration) {
    RETURN_IF_FAULT(L"HcsUnregisterComputeSystemCallback");
    return unregister_callback(registration);
}

__declspec(dllexport) HRESULT WINAPI HcsRegisterProcessCallback(void *process, hcs_callback callback, void *context, void **registration) {
    RETURN_IF_FAULT(L"HcsRegisterProcessCallback");
    return register_callback(process, callback, context, registration, 1);
}

__declspec(dllexport) HRESULT WINAPI HcsUnregisterProcessCallback(void *registration) {
    RETURN_IF_FAULT(L"HcsUnregisterProcessCallback");
    return unregister_callback(registration);
}

/* ---- the host ---------------------------------------------------------- */

/* HcsemuOpenHandles reports how many system and process handles are open,
 * for tests that check a client released what it held. */
__declspec(dllexport) DWORD WINAPI HcsemuOpenHandles(void) {
    EnterCriticalSection(&lock);
    DWORD n = (DWORD)open_handles;
    LeaveCriticalSection(&lock);
    return n;
}

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, void *reserved) {
    (void)instance;
    (void)reserved;
    if (reason == DLL_PROCESS_ATTACH) {
        InitializeCriticalSection(&lock);
        InitializeConditionVariable(&changed);
        WCHAR mode[8] = {0};
        GetEnvironmentVariableW(L"HCSEMU_SIMULATE", mode, 8);
        simulating = wcscmp(mode, L"1") == 0;
        serve_control_pipe();
    }
    /* HCSEMU_REPORT=1 reports, as the process exits, the handles its
     * client left open: a tool run under Wine is checked with it. */
    if (reason == DLL_PROCESS_DETACH && GetEnvironmentVariableW(L"HCSEMU_REPORT", NULL, 0) > 0)
        fprintf(stderr, "hcsemu: %ld handles left open\n", open_handles);
    return TRUE;
}
