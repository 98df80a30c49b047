/*
 * hcsemu's Host Network Service: HNSCall, HNS's v1 API, which hcsshim's
 * hns package (and through it moby's network drivers) calls with a method,
 * a path and a JSON document, and which answers {"Success":true,"Output":
 * ...} or {"Success":false,"Error":"..."}. Its objects live in memory, by
 * kind, the path's first part (networks, endpoints, policylists, ...):
 *   GET    /KIND/           every object of the kind, as an array
 *   GET    /KIND/ID         the object, or "Element not found."
 *   POST   /KIND/           a new object: the document, with a new ID
 *   POST   /KIND/ID         the object (a modification is accepted and kept)
 *   POST   /KIND/ID/VERB    attach, detach and the like: accepted
 *   DELETE /KIND/ID         the object goes
 *   GET    /globals/version HNS's version: 13.2, past every version moby
 *                           and hcsshim check for
 * Nothing here makes a network: containers run on the host's.
 */
#include "hcsemu.h"

struct object {
    WCHAR kind[32];
    WCHAR id[40];
    PWSTR document; /* with its "ID" */
    struct object *next;
};

static struct object *objects;
static LONG serial;

static PWSTR answer(const WCHAR *output) {
    size_t n = wcslen(output) + 32;
    PWSTR s = malloc(n * sizeof(WCHAR));
    swprintf(s, n, L"{\"Success\":true,\"Output\":%ls}", output);
    PWSTR out = dup_string(s);
    free(s);
    return out;
}

static PWSTR refusal(const WCHAR *error) {
    WCHAR s[256];
    swprintf(s, 256, L"{\"Success\":false,\"Error\":\"%ls\"}", error);
    return dup_string(s);
}

/* with_id returns document with its "ID" set to id: an empty "ID" is
 * filled, a missing one added first. */
static PWSTR with_id(PCWSTR document, const WCHAR *id) {
    const WCHAR *empty = wcsstr(document, L"\"ID\":\"\"");
    const WCHAR *open = wcschr(document, L'{');
    size_t n = wcslen(document) + 64;
    PWSTR out = malloc(n * sizeof(WCHAR));
    if (empty)
        swprintf(out, n, L"%.*ls\"ID\":\"%ls\"%ls", (int)(empty - document), document, id, empty + 7);
    else if (open)
        swprintf(out, n, L"%.*ls\"ID\":\"%ls\"%ls%ls", (int)(open + 1 - document), document, id, open[1] == L'}' ? L"" : L",", open + 1);
    else
        swprintf(out, n, L"{\"ID\":\"%ls\"}", id);
    return out;
}

static struct object **find(const WCHAR *kind, const WCHAR *id) {
    struct object **o = &objects;
    while (*o && (wcscmp((*o)->kind, kind) != 0 || _wcsicmp((*o)->id, id) != 0))
        o = &(*o)->next;
    return o;
}

/* list answers every object of kind, as a JSON array. lock is held. */
static PWSTR list(const WCHAR *kind) {
    size_t n = 3;
    for (struct object *o = objects; o; o = o->next)
        if (wcscmp(o->kind, kind) == 0)
            n += wcslen(o->document) + 1;
    PWSTR array = malloc(n * sizeof(WCHAR));
    wcscpy(array, L"[");
    for (struct object *o = objects; o; o = o->next)
        if (wcscmp(o->kind, kind) == 0) {
            if (array[1])
                wcscat(array, L",");
            wcscat(array, o->document);
        }
    wcscat(array, L"]");
    PWSTR out = answer(array);
    free(array);
    return out;
}

/* call answers one request. lock is held. */
static PWSTR call(PCWSTR method, const WCHAR *kind, const WCHAR *id, const WCHAR *verb, PCWSTR request) {
    if (wcscmp(kind, L"globals") == 0)
        return answer(L"{\"Major\":13,\"Minor\":2}");
    if (!*id) {
        if (wcscmp(method, L"GET") == 0)
            return list(kind);
        if (wcscmp(method, L"POST") != 0)
            return refusal(L"The request is not supported.");
        struct object *o = calloc(1, sizeof *o);
        wcsncpy(o->kind, kind, 31);
        LONG n = InterlockedIncrement(&serial);
        swprintf(o->id, 40, L"%08lx-0000-4000-8000-%012lx", (unsigned long)GetCurrentProcessId(), (unsigned long)n);
        o->document = with_id(request && *request ? request : L"{}", o->id);
        o->next = objects;
        objects = o;
        return answer(o->document);
    }
    struct object **o = find(kind, id);
    if (!*o)
        return refusal(L"Element not found.");
    if (wcscmp(method, L"DELETE") == 0) {
        struct object *gone = *o;
        *o = gone->next;
        free(gone->document);
        free(gone);
        return answer(L"null");
    }
    if (wcscmp(method, L"POST") == 0 && !*verb && request && *request) {
        free((*o)->document);
        (*o)->document = with_id(request, (*o)->id);
    }
    return answer(*verb ? L"null" : (*o)->document);
}

__declspec(dllexport) HRESULT WINAPI HNSCall(PCWSTR method, PCWSTR path, PCWSTR request, PWSTR *response) {
    RETURN_IF_FAULT(L"HNSCall");
    /* /KIND/ID/VERB, each part optional but the kind. */
    WCHAR kind[32] = {0}, id[64] = {0}, verb[32] = {0};
    swscanf(path, L"/%31l[^/]/%63l[^/]/%31l[^/]", kind, id, verb);
    EnterCriticalSection(&lock);
    *response = call(method, kind, id, verb, request);
    LeaveCriticalSection(&lock);
    return S_OK;
}
