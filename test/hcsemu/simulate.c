/*
 * hcsemu's simulated processes: with HCSEMU_SIMULATE=1 in the environment,
 * a container's process is a thread of the emulator that runs a tiny
 * script read from its command line, instead of a Wine process, so that a
 * container's life costs hcsshim, the backend and Wine's own calls, not
 * Wine starting programs (the benchmarks' mode; the tests run real
 * processes). The command set is the in-memory host's:
 *   echo TEXT        TEXT and a line end on stdout; with "1>&2", on stderr
 *   exit N           ends the process with N
 *   cat, more        stdin to stdout until stdin ends
 *   anything else    runs until the process is killed or its system stops
 * commands chained with "&" (or "&&": the next only after a success),
 * after an optional "cmd /c". The pipes are real and the exit codes are
 * the script's, or the kill's.
 */
#include "hcsemu.h"

int simulating;

struct script {
    WCHAR line[32768];
    HANDLE in, out, err; /* the process's ends, each may be NULL */
    HANDLE kill;         /* set when the process is to end */
    const volatile LONG *kill_code;
};

static int starts_with(const WCHAR *s, const WCHAR *prefix) {
    return _wcsnicmp(s, prefix, wcslen(prefix)) == 0;
}

static void say(HANDLE to, const WCHAR *text, size_t n) {
    if (!to)
        return;
    char buf[4096];
    int len = WideCharToMultiByte(CP_UTF8, 0, text, (int)n, buf, sizeof buf - 2, NULL, NULL);
    buf[len++] = '\r';
    buf[len++] = '\n';
    DWORD written;
    WriteFile(to, buf, (DWORD)len, &written, NULL);
}

/* copy copies in to out until in ends; 0 when the process was killed. */
static int copy(struct script *sc) {
    char buf[4096];
    for (;;) {
        DWORD available = 0, n;
        if (!sc->in || !PeekNamedPipe(sc->in, NULL, 0, NULL, &available, NULL))
            return 1; /* no stdin, or its writer closed it */
        if (available == 0) {
            if (WaitForSingleObject(sc->kill, 2) == WAIT_OBJECT_0)
                return 0;
            continue;
        }
        if (!ReadFile(sc->in, buf, min(available, (DWORD)sizeof buf), &n, NULL) || n == 0)
            return 1;
        DWORD written;
        if (sc->out)
            WriteFile(sc->out, buf, n, &written, NULL);
    }
}

/* run runs one command; 0 when the process was killed meanwhile. */
static int run(struct script *sc, WCHAR *command, DWORD *code, int *exited) {
    while (*command == L' ')
        command++;
    size_t n = wcslen(command);
    while (n > 0 && command[n - 1] == L' ')
        command[--n] = 0;
    *code = 0;
    if (starts_with(command, L"echo ") || _wcsicmp(command, L"echo") == 0) {
        const WCHAR *text = command + min(n, (size_t)5);
        HANDLE to = sc->out;
        size_t len = wcslen(text);
        if (len >= 4 && wcscmp(text + len - 4, L"1>&2") == 0) {
            to = sc->err;
            len -= 4;
            while (len > 0 && text[len - 1] == L' ')
                len--;
        }
        say(to, text, len);
        return 1;
    }
    if (starts_with(command, L"exit")) {
        *code = (DWORD)wcstoul(command + 4, NULL, 10);
        *exited = 1;
        return 1;
    }
    if (_wcsicmp(command, L"cat") == 0 || _wcsicmp(command, L"more") == 0)
        return copy(sc);
    WaitForSingleObject(sc->kill, INFINITE);
    return 0;
}

static DWORD WINAPI script_main(void *arg) {
    struct script *sc = arg;
    WCHAR *rest = sc->line;
    while (*rest == L' ')
        rest++;
    if (starts_with(rest, L"cmd /c "))
        rest += 7;
    DWORD code = 0;
    int exited = 0, killed = 0;
    while (rest && !exited && !killed) {
        WCHAR *next = wcschr(rest, L'&');
        int only_on_success = 0;
        if (next) {
            *next++ = 0;
            if (*next == L'&') {
                next++;
                only_on_success = 1;
            }
        }
        if (WaitForSingleObject(sc->kill, 0) == WAIT_OBJECT_0 || !run(sc, rest, &code, &exited))
            killed = 1;
        if (only_on_success && code != 0)
            break;
        rest = next;
    }
    if (killed)
        code = (DWORD)*sc->kill_code;
    HANDLE ends[3] = {sc->in, sc->out, sc->err};
    for (int i = 0; i < 3; i++)
        if (ends[i])
            CloseHandle(ends[i]);
    free(sc);
    return code;
}

HANDLE simulate(const WCHAR *command_line, HANDLE in, HANDLE out, HANDLE err, HANDLE kill, const volatile LONG *kill_code) {
    struct script *sc = calloc(1, sizeof *sc);
    wcsncpy(sc->line, command_line, 32767);
    sc->in = in;
    sc->out = out;
    sc->err = err;
    sc->kill = kill;
    sc->kill_code = kill_code;
    return CreateThread(NULL, 0, script_main, sc, 0, NULL);
}
