/*
 * winegaps: what Wine 8 lacks and moby's dockerd needs, for the tests only.
 *
 * kernel32's BackupRead and BackupWrite are stubs in Wine 8 (they fail with
 * ERROR_NOT_SUPPORTED); go-winio's backup streams, through which hcsshim
 * writes an image's layer at `docker load` and reads one at `docker
 * commit`, need them. This DLL puts working ones in their place: it
 * overwrites the start of each stub with a jump to its own version.
 *
 * It is built as powrprof.dll because every Go program loads that DLL as
 * it starts (the runtime registers for suspend and resume notifications
 * with PowerRegisterSuspendResumeNotification), dockerd's re-executed
 * children included, before any of their code runs; the prefix makes
 * Wine load it in place of its own (a DllOverrides entry). Its two power
 * exports do what Wine's do: nothing, successfully.
 *
 * What the backup streams keep: the file's data (BACKUP_DATA). Security
 * descriptors, alternate streams, extended attributes, reparse data and
 * sparse blocks are read as absent and skipped when written: an image
 * layer under Wine is its files.
 *
 * ntdll's NtSetInformationFile answers FileDispositionInformationEx with
 * STATUS_NOT_IMPLEMENTED in Wine 8, which Go from 1.25 on takes for a
 * failure of os.Remove and os.RemoveAll ("Invalid function") rather than
 * for an old Windows, where it falls back to FileDispositionInformation:
 * moby v29's dockerd could remove no container. NtSetInformationFile is
 * wrapped so that it answers that class with STATUS_INVALID_INFO_CLASS, as
 * a Windows without it does; every other call goes on to Wine's own, a
 * copy of its system-call stub.
 */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <stdlib.h>
#include <string.h>

/* The fixed part of a WIN32_STREAM_ID, before the stream's name. */
#define STREAM_HEADER 20

struct stream {
    BYTE header[STREAM_HEADER];
    DWORD have;           /* of the header, so far */
    ULONGLONG name_left;  /* the stream's name, then its data */
    ULONGLONG data_left;
    DWORD id;
    int reading_done;     /* BackupRead: the data stream was all read */
    int header_sent;      /* BackupRead: bytes of the header handed out */
};

/* context_of returns the call's stream state: NULL for an abort, which
 * ends the stream and frees it. */
static struct stream *context_of(void **context, BOOL abort) {
    if (abort) {
        free(*context);
        *context = NULL;
        return NULL;
    }
    if (!*context)
        *context = calloc(1, sizeof(struct stream));
    return *context;
}

static BOOL WINAPI backup_write(HANDLE file, BYTE *buffer, DWORD size, DWORD *written, BOOL abort, BOOL security, void **context) {
    (void)security;
    struct stream *s = context_of(context, abort);
    if (!s)
        return TRUE;
    DWORD done = 0;
    while (done < size) {
        if (s->have < STREAM_HEADER) {
            DWORD n = min(size - done, STREAM_HEADER - s->have);
            memcpy(s->header + s->have, buffer + done, n);
            s->have += n;
            done += n;
            if (s->have == STREAM_HEADER) {
                DWORD name_size;
                memcpy(&s->id, s->header, 4);
                memcpy(&s->data_left, s->header + 8, 8);
                memcpy(&name_size, s->header + 16, 4);
                s->name_left = name_size;
            }
            continue;
        }
        if (s->name_left > 0) {
            DWORD n = (DWORD)min((ULONGLONG)(size - done), s->name_left);
            s->name_left -= n;
            done += n;
            continue;
        }
        if (s->data_left > 0) {
            DWORD n = (DWORD)min((ULONGLONG)(size - done), s->data_left);
            if (s->id == BACKUP_DATA) {
                DWORD out;
                if (!WriteFile(file, buffer + done, n, &out, NULL))
                    return FALSE;
            }
            s->data_left -= n;
            done += n;
        }
        if (s->data_left == 0)
            s->have = 0; /* the next stream's header */
    }
    if (written)
        *written = done;
    return TRUE;
}

static BOOL WINAPI backup_read(HANDLE file, BYTE *buffer, DWORD size, DWORD *read, BOOL abort, BOOL security, void **context) {
    (void)security;
    struct stream *s = context_of(context, abort);
    if (!s)
        return TRUE;
    DWORD done = 0;
    if (!s->have) {
        /* The one stream: the file's data; a folder has none. */
        BY_HANDLE_FILE_INFORMATION info;
        LARGE_INTEGER length = {0};
        if (!GetFileInformationByHandle(file, &info))
            return FALSE;
        if (!(info.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) && !GetFileSizeEx(file, &length))
            return FALSE;
        DWORD id = BACKUP_DATA, attributes = 0, name_size = 0;
        memcpy(s->header, &id, 4);
        memcpy(s->header + 4, &attributes, 4);
        memcpy(s->header + 8, &length.QuadPart, 8);
        memcpy(s->header + 16, &name_size, 4);
        s->have = STREAM_HEADER;
        s->data_left = (ULONGLONG)length.QuadPart;
        s->reading_done = info.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY;
    }
    while (done < size && !s->reading_done) {
        if (s->header_sent < STREAM_HEADER) {
            DWORD n = min(size - done, (DWORD)(STREAM_HEADER - s->header_sent));
            memcpy(buffer + done, s->header + s->header_sent, n);
            s->header_sent += n;
            done += n;
            continue;
        }
        if (s->data_left == 0) {
            s->reading_done = 1;
            break;
        }
        DWORD n = (DWORD)min((ULONGLONG)(size - done), s->data_left), got;
        if (!ReadFile(file, buffer + done, n, &got, NULL))
            return FALSE;
        if (got == 0) {
            s->reading_done = 1; /* the file shrank */
            break;
        }
        s->data_left -= got;
        done += got;
    }
    if (read)
        *read = done;
    return TRUE;
}

/* redirect overwrites the start of function from with a jump to to. */
static void redirect(void *from, void *to) {
    BYTE code[12] = {0x48, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xe0}; /* mov rax, to; jmp rax */
    memcpy(code + 2, &to, sizeof to);
    DWORD old;
    if (!from || !VirtualProtect(from, sizeof code, PAGE_EXECUTE_READWRITE, &old))
        return;
    memcpy(from, code, sizeof code);
    VirtualProtect(from, sizeof code, old, &old);
    FlushInstructionCache(GetCurrentProcess(), from, sizeof code);
}

typedef LONG(WINAPI *set_information_file)(HANDLE, void *, void *, ULONG, int);
static set_information_file wine_set_information_file;

#define FILE_DISPOSITION_INFORMATION_EX 64
#define STATUS_INVALID_INFO_CLASS ((LONG)0xC0000003)

static LONG WINAPI set_information_file_hook(HANDLE file, void *io, void *info, ULONG size, int class) {
    if (class == FILE_DISPOSITION_INFORMATION_EX)
        return STATUS_INVALID_INFO_CLASS;
    return wine_set_information_file(file, io, info, size, class);
}

/* Wine 8's system-call stub on x86-64: mov r10, rcx; mov eax, N; test the
 * user shared data's syscall flag; syscall or call the dispatcher through
 * an absolute address; ret. It has no relative address, so a copy runs
 * anywhere. */
static const BYTE stub_start[] = {0x4c, 0x8b, 0xd1, 0xb8};
static const BYTE stub_rest[] = {0xf6, 0x04, 0x25, 0x08, 0x03, 0xfe, 0x7f, 0x01, 0x75, 0x03, 0x0f, 0x05, 0xc3,
                                 0xeb, 0x01, 0xc3, 0xff, 0x14, 0x25, 0x00, 0x10, 0xfe, 0x7f, 0xc3};
#define STUB_SIZE (sizeof stub_start + 4 + sizeof stub_rest)

/* wrap_set_information_file puts the hook in place of ntdll's
 * NtSetInformationFile, when that is the stub above. */
static void wrap_set_information_file(void) {
    BYTE *stub = (BYTE *)GetProcAddress(GetModuleHandleW(L"ntdll.dll"), "NtSetInformationFile");
    if (!stub || memcmp(stub, stub_start, sizeof stub_start) != 0 ||
        memcmp(stub + sizeof stub_start + 4, stub_rest, sizeof stub_rest) != 0)
        return;
    BYTE *copy = VirtualAlloc(NULL, STUB_SIZE, MEM_COMMIT | MEM_RESERVE, PAGE_EXECUTE_READWRITE);
    if (!copy)
        return;
    memcpy(copy, stub, STUB_SIZE);
    wine_set_information_file = (set_information_file)(void *)copy;
    redirect(stub, (void *)set_information_file_hook);
}

__declspec(dllexport) DWORD WINAPI PowerRegisterSuspendResumeNotification(DWORD flags, HANDLE recipient, void **registration) {
    (void)flags;
    (void)recipient;
    if (registration)
        *registration = (void *)1;
    return ERROR_SUCCESS;
}

__declspec(dllexport) DWORD WINAPI PowerUnregisterSuspendResumeNotification(void *registration) {
    (void)registration;
    return ERROR_SUCCESS;
}

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, void *reserved) {
    (void)instance;
    (void)reserved;
    if (reason == DLL_PROCESS_ATTACH) {
        HMODULE kernel32 = GetModuleHandleW(L"kernel32.dll");
        redirect((void *)GetProcAddress(kernel32, "BackupRead"), (void *)backup_read);
        redirect((void *)GetProcAddress(kernel32, "BackupWrite"), (void *)backup_write);
        wrap_set_information_file();
    }
    return TRUE;
}
