/*
 * hcsemu's processes: real Wine processes run from the document's command
 * line (or simulated ones, HCSEMU_SIMULATE=1), with overlapped pipes
 * handed to the caller, a relay for stdin that CloseStdin can end, a job
 * object each, and a watcher that reports the exit.
 */
#include "compute.h"

static LONG pipe_serial;

/* end_process ends a process and the processes it started. */
void end_process(struct process *p, UINT code) {
    if (p->kill) {
        InterlockedExchange(&p->kill_code, (LONG)code);
        SetEvent(p->kill);
        return;
    }
    if (!p->job || !TerminateJobObject(p->job, code))
        TerminateProcess(p->os_process, code);
}

typedef struct {
    DWORD ProcessId;
    DWORD Reserved;
    HANDLE StdInput;
    HANDLE StdOutput;
    HANDLE StdError;
} HCS_PROCESS_INFORMATION;

/* make_pipe returns the caller's end of a new pipe, overlapped, and sets
 * *child to the process's end, synchronous and inheritable (overlapped
 * when flags says so). inbound: the caller reads. */
static HANDLE make_pipe(int inbound, HANDLE *child, DWORD flags) {
    WCHAR name[128];
    swprintf(name, 128, L"\\\\.\\pipe\\hcsemu-%lu-%ld", (unsigned long)GetCurrentProcessId(), InterlockedIncrement(&pipe_serial));
    HANDLE ours = CreateNamedPipeW(name, (inbound ? PIPE_ACCESS_INBOUND : PIPE_ACCESS_OUTBOUND) | FILE_FLAG_OVERLAPPED | FILE_FLAG_FIRST_PIPE_INSTANCE,
                                   PIPE_TYPE_BYTE | PIPE_WAIT, 1, 65536, 65536, 0, NULL);
    if (ours == INVALID_HANDLE_VALUE)
        return NULL;
    SECURITY_ATTRIBUTES inherit = {sizeof inherit, NULL, TRUE};
    *child = CreateFileW(name, inbound ? GENERIC_WRITE : GENERIC_READ, 0, &inherit, OPEN_EXISTING, flags, NULL);
    if (*child == INVALID_HANDLE_VALUE) {
        CloseHandle(ours);
        return NULL;
    }
    return ours;
}

/* relay copies what the caller writes into the process's stdin until the
 * caller closes its end, or CloseStdin was asked for and what the caller
 * wrote before it was copied. */
static DWORD WINAPI relay(void *arg) {
    struct process *p = arg;
    char buf[4096];
    DWORD n, written;
    OVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    ov.hEvent = CreateEventW(NULL, TRUE, FALSE, NULL);
    for (;;) {
        ResetEvent(ov.hEvent);
        if (!ReadFile(p->stdin_from_caller, buf, sizeof buf, NULL, &ov) && GetLastError() != ERROR_IO_PENDING)
            break;
        HANDLE events[2] = {ov.hEvent, p->stdin_close}; /* data first */
        if (WaitForMultipleObjects(2, events, FALSE, INFINITE) != WAIT_OBJECT_0) {
            DWORD available = 0;
            if (PeekNamedPipe(p->stdin_from_caller, NULL, 0, NULL, &available, NULL) && available > 0) {
                WaitForSingleObject(ov.hEvent, INFINITE);
            } else {
                CancelIo(p->stdin_from_caller);
                GetOverlappedResult(p->stdin_from_caller, &ov, &n, TRUE);
                break;
            }
        }
        if (!GetOverlappedResult(p->stdin_from_caller, &ov, &n, TRUE) || n == 0)
            break;
        if (!WriteFile(p->stdin_write, buf, n, &written, NULL))
            break;
    }
    CloseHandle(ov.hEvent);
    EnterCriticalSection(&lock);
    if (p->stdin_write) {
        CloseHandle(p->stdin_write);
        p->stdin_write = NULL;
    }
    LeaveCriticalSection(&lock);
    CloseHandle(p->stdin_from_caller);
    return 0;
}

/* watch waits for a process's exit and reports it. */
static DWORD WINAPI watch(void *arg) {
    struct process *p = arg;
    WaitForSingleObject(p->os_process, INFINITE);
    EnterCriticalSection(&lock);
    if (p->kill)
        GetExitCodeThread(p->os_process, &p->exit_code);
    else
        GetExitCodeProcess(p->os_process, &p->exit_code);
    p->exited = 1;
    notify_exit(p->sys, p);
    WakeAllConditionVariable(&changed);
    LeaveCriticalSection(&lock);
    return 0;
}

static void image_name(const WCHAR *command_line, WCHAR *out) {
    const WCHAR *start = command_line, *end;
    if (*start == L'"') {
        start++;
        end = wcschr(start, L'"');
    } else {
        end = wcspbrk(start, L" \t");
    }
    if (!end)
        end = start + wcslen(start);
    const WCHAR *base = start;
    for (const WCHAR *c = start; c < end; c++)
        if (*c == L'\\' || *c == L'/')
            base = c + 1;
    size_t n = (size_t)(end - base) < MAX_PATH - 1 ? (size_t)(end - base) : MAX_PATH - 1;
    wcsncpy(out, base, n);
    out[n] = 0;
}

/* add_process makes p, started, one of system s's processes, with its
 * handle, its stdin relay and its watcher. lock is held. */
static void add_process(struct system *s, struct process *p, const WCHAR *command_line, HCS_PROCESS_INFORMATION *info,
                        void **process, HANDLE from_caller, HANDLE stdin_write) {
    GetSystemTimeAsFileTime(&p->created);
    image_name(command_line, p->image);
    p->next = s->processes;
    s->processes = p;
    info->ProcessId = p->pid;
    *process = new_handle(s, p);
    if (from_caller) {
        p->stdin_from_caller = from_caller;
        p->stdin_write = stdin_write;
        p->stdin_close = CreateEventW(NULL, TRUE, FALSE, NULL);
        CloseHandle(CreateThread(NULL, 0, relay, p, 0, NULL));
    }
    CloseHandle(CreateThread(NULL, 0, watch, p, 0, NULL));
}

/* The pipes of a process being created: the caller's ends go into the
 * process information, the process's ends (child) into its stdio. Its
 * stdin goes through a relay: from_caller is the relay's end of the
 * caller's pipe, stdin_write the relay's end of the process's. */
struct stdio_pipes {
    HANDLE child[3];
    HANDLE from_caller, stdin_write;
};

/* open_stdio makes the pipes parameters ask for. */
static void open_stdio(PCWSTR parameters, HCS_PROCESS_INFORMATION *info, struct stdio_pipes *io) {
    memset(io, 0, sizeof *io);
    if (json_bool(parameters, L"CreateStdInPipe")) {
        info->StdInput = make_pipe(0, &io->from_caller, FILE_FLAG_OVERLAPPED);
        SetHandleInformation(io->from_caller, HANDLE_FLAG_INHERIT, 0);
        SECURITY_ATTRIBUTES inheritable = {sizeof inheritable, NULL, TRUE};
        CreatePipe(&io->child[0], &io->stdin_write, &inheritable, 65536);
        SetHandleInformation(io->stdin_write, HANDLE_FLAG_INHERIT, 0);
    }
    if (json_bool(parameters, L"CreateStdOutPipe"))
        info->StdOutput = make_pipe(1, &io->child[1], 0);
    if (json_bool(parameters, L"CreateStdErrPipe"))
        info->StdError = make_pipe(1, &io->child[2], 0);
}

/* close_stdio closes the caller's ends of a process that was not created. */
static void close_stdio(HCS_PROCESS_INFORMATION *info, struct stdio_pipes *io) {
    HANDLE ends[5] = {info->StdInput, info->StdOutput, info->StdError, io->from_caller, io->stdin_write};
    for (int i = 0; i < 5; i++)
        if (ends[i])
            CloseHandle(ends[i]);
    memset(info, 0, sizeof *info);
}

/* spawn runs command_line as a real process with the process's ends of
 * io, which it closes, in a job object of its own (the process and its
 * children end together, as in a container). lock is held, so that no
 * other process of ours inherits these ends. */
static struct process *spawn(WCHAR *command_line, struct stdio_pipes *io, DWORD *error) {
    SECURITY_ATTRIBUTES inherit = {sizeof inherit, NULL, TRUE};
    HANDLE null_in = CreateFileW(L"NUL", GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, &inherit, OPEN_EXISTING, 0, NULL);
    HANDLE null_out = CreateFileW(L"NUL", GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, &inherit, OPEN_EXISTING, 0, NULL);
    STARTUPINFOW si;
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = io->child[0] ? io->child[0] : null_in;
    si.hStdOutput = io->child[1] ? io->child[1] : null_out;
    si.hStdError = io->child[2] ? io->child[2] : null_out;
    PROCESS_INFORMATION pi;
    BOOL ok = CreateProcessW(NULL, command_line, NULL, NULL, TRUE, CREATE_NO_WINDOW | CREATE_SUSPENDED, NULL, NULL, &si, &pi);
    *error = GetLastError();
    for (int i = 0; i < 3; i++)
        if (io->child[i])
            CloseHandle(io->child[i]);
    CloseHandle(null_in);
    CloseHandle(null_out);
    if (!ok)
        return NULL;
    HANDLE job = CreateJobObjectW(NULL, NULL);
    if (job && !AssignProcessToJobObject(job, pi.hProcess)) {
        CloseHandle(job);
        job = NULL;
    }
    ResumeThread(pi.hThread);
    CloseHandle(pi.hThread);
    struct process *p = calloc(1, sizeof *p);
    p->job = job;
    p->pid = pi.dwProcessId;
    p->os_process = pi.hProcess;
    return p;
}

/* spawn_simulated is spawn for a simulated process (HCSEMU_SIMULATE=1). */
static struct process *spawn_simulated(const WCHAR *command_line, struct stdio_pipes *io) {
    static LONG simulated_pid = 10000;
    struct process *p = calloc(1, sizeof *p);
    p->pid = (DWORD)InterlockedAdd(&simulated_pid, 4);
    p->kill = CreateEventW(NULL, TRUE, FALSE, NULL);
    p->os_process = simulate(command_line, io->child[0], io->child[1], io->child[2], p->kill, &p->kill_code);
    return p;
}

__declspec(dllexport) HRESULT WINAPI HcsCreateProcess(void *system, PCWSTR parameters, HCS_PROCESS_INFORMATION *info, void **process, PWSTR *result) {
    HRESULT hr = fault(L"HcsCreateProcess");
    if (hr != S_OK)
        return hr;
    set_result(result);
    static WCHAR command_line[32768]; /* guarded by lock */
    EnterCriticalSection(&lock);
    struct system *s;
    hr = live_system(system, &s);
    if (hr == S_OK && (s->state != RUNNING || s->stopping))
        hr = HCS_E_INVALID_STATE;
    if (hr == S_OK && json_string(parameters, L"CommandLine", command_line, 32768) != 1)
        hr = E_INVALIDARG;
    if (hr == S_OK) {
        memset(info, 0, sizeof *info);
        struct stdio_pipes io;
        open_stdio(parameters, info, &io);
        DWORD error = 0;
        struct process *p = simulating ? spawn_simulated(command_line, &io) : spawn(command_line, &io, &error);
        if (p) {
            p->sys = s;
            add_process(s, p, command_line, info, process, io.from_caller, io.stdin_write);
        } else {
            close_stdio(info, &io);
            hr = HRESULT_FROM_WIN32(error);
        }
    }
    LeaveCriticalSection(&lock);
    return hr;
}

__declspec(dllexport) HRESULT WINAPI HcsOpenProcess(void *system, DWORD pid, void **process, PWSTR *result) {
    RETURN_IF_FAULT(L"HcsOpenProcess");
    set_result(result);
    EnterCriticalSection(&lock);
    struct system *s = system_of(system);
    HRESULT hr = s ? HRESULT_FROM_WIN32(ERROR_NOT_FOUND) : E_HANDLE;
    if (s)
        for (struct process *p = s->processes; p; p = p->next)
            if (p->pid == pid) {
                *process = new_handle(s, p);
                hr = S_OK;
                break;
            }
    LeaveCriticalSection(&lock);
    return hr;
}

__declspec(dllexport) HRESULT WINAPI HcsCloseProcess(void *process) {
    RETURN_IF_FAULT(L"HcsCloseProcess");
    return close_handle(process, 1);
}

/* enter_process begins a call through a process handle: it clears the
 * call's result, takes lock and finds the process, answering E_HANDLE for a
 * closed handle or a system's. The caller leaves lock. */
static HRESULT enter_process(void *handle, PWSTR *result, struct process **p) {
    set_result(result);
    EnterCriticalSection(&lock);
    *p = process_of(handle);
    return *p ? S_OK : E_HANDLE;
}

__declspec(dllexport) HRESULT WINAPI HcsTerminateProcess(void *process, PWSTR *result) {
    RETURN_IF_FAULT(L"HcsTerminateProcess");
    struct process *p;
    HRESULT hr = enter_process(process, result, &p);
    if (hr == S_OK && p->exited)
        hr = HCS_E_PROCESS_ALREADY_STOPPED;
    else if (hr == S_OK)
        end_process(p, 1); /* HCS's TerminateProcess code, hcsfake's ExitCodeKilled */
    LeaveCriticalSection(&lock);
    return hr;
}

__declspec(dllexport) HRESULT WINAPI HcsSignalProcess(void *process, PCWSTR options, PWSTR *result) {
    RETURN_IF_FAULT(L"HcsSignalProcess");
    (void)options;
    return HcsTerminateProcess(process, result);
}

__declspec(dllexport) HRESULT WINAPI HcsGetProcessInfo(void *process, HCS_PROCESS_INFORMATION *info, PWSTR *result) {
    RETURN_IF_FAULT(L"HcsGetProcessInfo");
    struct process *p;
    HRESULT hr = enter_process(process, result, &p);
    if (hr == S_OK) {
        memset(info, 0, sizeof *info);
        info->ProcessId = p->pid;
    }
    LeaveCriticalSection(&lock);
    return hr;
}

__declspec(dllexport) HRESULT WINAPI HcsGetProcessProperties(void *process, PWSTR *properties, PWSTR *result) {
    RETURN_IF_FAULT(L"HcsGetProcessProperties");
    struct process *p;
    HRESULT hr = enter_process(process, result, &p);
    if (hr == S_OK) {
        WCHAR buf[256];
        swprintf(buf, 256, L"{\"ProcessId\":%lu,\"Exited\":%ls,\"ExitCode\":%lu,\"LastWaitResult\":0}", (unsigned long)p->pid,
                 p->exited ? L"true" : L"false", (unsigned long)p->exit_code);
        *properties = dup_string(buf);
    }
    LeaveCriticalSection(&lock);
    return hr;
}

/* modify_process applies settings to p: a console resize, which it cannot
 * do, or the end of the input. lock is held. */
static HRESULT modify_process(struct process *p, PCWSTR settings) {
    if (p->sys->stopping || p->sys->state == STOPPED)
        return HCS_E_INVALID_STATE;
    if (settings && wcsstr(settings, L"ConsoleSize"))
        return p->exited ? HCS_E_PROCESS_ALREADY_STOPPED : HCS_E_INVALID_STATE; /* no console emulated */
    if (settings && wcsstr(settings, L"\"StdIn\"") && p->stdin_close)
        SetEvent(p->stdin_close); /* the relay ends the input once drained */
    return S_OK;
}

__declspec(dllexport) HRESULT WINAPI HcsModifyProcess(void *process, PCWSTR settings, PWSTR *result) {
    RETURN_IF_FAULT(L"HcsModifyProcess");
    struct process *p;
    HRESULT hr = enter_process(process, result, &p);
    if (hr == S_OK)
        hr = modify_process(p, settings);
    LeaveCriticalSection(&lock);
    return hr;
}
