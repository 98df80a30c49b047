/*
 * What hcsemu's compute systems (compute.c) and their processes
 * (process.c) share: HCS's answers, the objects, and the functions one
 * part calls in the other. Every field is guarded by the lock.
 */
#ifndef HCSEMU_COMPUTE_H
#define HCSEMU_COMPUTE_H

#include "hcsemu.h"

#define HCS_E_OPERATION_PENDING ((HRESULT)0xC0370103L)
#define HCS_E_INVALID_STATE ((HRESULT)0xC0370105L)
#define HCS_E_SYSTEM_NOT_FOUND ((HRESULT)0xC037010EL)
#define HCS_E_SYSTEM_ALREADY_EXISTS ((HRESULT)0xC037010FL)
#define HCS_E_SYSTEM_ALREADY_STOPPED ((HRESULT)0xC0370110L)
#define HCS_E_PROCESS_ALREADY_STOPPED ((HRESULT)0x8037011FL)


enum state { CREATED, RUNNING, PAUSED, STOPPED };

struct system;
struct process;

/* A handle on a system or a process; closed handles stay allocated, so
 * that a late call on one answers "invalid handle" instead of crashing. */
struct handle {
    int is_process;
    int closed;
    struct system *sys;
    struct process *proc;
    /* A completion (create, start, pause, resume) answered pending before
     * the handle had a registration: sent at registration. */
    DWORD deferred;
};

struct process {
    struct system *sys;
    DWORD pid;
    HANDLE os_process; /* a simulated process's thread */
    HANDLE job; /* the process and its children, ended together as in a container */
    HANDLE kill; /* a simulated process's end, with kill_code */
    volatile LONG kill_code;
    /* The process reads its stdin from stdin_write's pipe, which a relay
     * fills from the caller's; closing it is how CloseStdin ends the input. */
    HANDLE stdin_write;
    HANDLE stdin_from_caller; /* overlapped */
    HANDLE stdin_close;       /* event: CloseStdin was asked for */
    int exited;
    DWORD exit_code;
    FILETIME created;
    WCHAR image[MAX_PATH];
    struct process *next;
};

struct system {
    WCHAR id[256];
    int hyperv;
    enum state state;
    int stopping;
    int handles; /* open handles on it and on its processes */
    struct process *processes;
    struct system *next;
};

/* changed is signalled when a process exits; the lock guards it. */
extern CONDITION_VARIABLE changed;

/* new_handle opens a handle on sys, or on its process proc. */
struct handle *new_handle(struct system *sys, struct process *proc);

/* system_of and process_of check a handle's kind and that it is open. */
struct system *system_of(void *handle);
struct process *process_of(void *handle);

/* live_system is system_of for an operation on a system that has not
 * stopped, answering HCS's error for one that has. */
HRESULT live_system(void *handle, struct system **s);

/* close_handle closes a system's handle or a process's, without the lock
 * held; closing twice is not an error. */
HRESULT close_handle(struct handle *h, int is_process);

/* notify_exit queues the exit notification of sys, or of its process proc,
 * for every registration of a handle on it. */
void notify_exit(struct system *sys, struct process *proc);

/* json_bool reports whether doc sets key to true. */
int json_bool(PCWSTR doc, const WCHAR *key);

/* end_process ends a process and the processes it started with code. */
void end_process(struct process *p, UINT code);

#endif
