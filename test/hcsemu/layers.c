/*
 * hcsemu's container storage: the layer calls of hcsshim's wclayer, which
 * moby's windowsfilter graph driver and the integration tests make. hcsshim
 * names a layer by its folder's path (the driver info's home is empty), and
 * here the folder is the whole layer:
 *   - create and destroy make and remove the folder (its whole tree);
 *   - import copies a layer written in the legacy format (Files, Hives,
 *     UtilityVM, tombstones) from its staging folder into the layer's, and
 *     export copies it back out; processing a base or utility VM image has
 *     nothing to do;
 *   - prepare mounts a layer: from then until unprepare its mount path is a
 *     volume GUID path named after it, as HCS gives a container's scratch;
 *     the mount path of a layer that is not prepared is its folder, which
 *     is how moby finds a parent's Files;
 *   - activation, sandbox sizes and VM access are accepted.
 * NameToGuid is a stand-in: a deterministic name-based GUID, since HCS's
 * algorithm is not public.
 */
#include "hcsemu.h"

/* What hcsshim passes as its driverInfo: the home is empty, ids are paths. */
struct driver_info {
    INT_PTR flavour;
    PCWSTR home;
};

/* The prepared layers, by path. lock guards them. */
struct prepared {
    WCHAR path[MAX_PATH];
    struct prepared *next;
};

static struct prepared *prepared;

static struct prepared **find_prepared(PCWSTR path) {
    struct prepared **p = &prepared;
    while (*p && _wcsicmp((*p)->path, path) != 0)
        p = &(*p)->next;
    return p;
}

/* unprepare forgets that layer path is prepared. */
static void unprepare(PCWSTR path) {
    EnterCriticalSection(&lock);
    struct prepared **p = find_prepared(path);
    if (*p) {
        struct prepared *gone = *p;
        *p = gone->next;
        free(gone);
    }
    LeaveCriticalSection(&lock);
}

static HRESULT last_error(void) {
    return HRESULT_FROM_WIN32(GetLastError());
}

/* copy_tree copies folder from into folder to, which it makes, and
 * everything below it. */
static HRESULT copy_tree(const WCHAR *from, const WCHAR *to) {
    if (!CreateDirectoryW(to, NULL) && GetLastError() != ERROR_ALREADY_EXISTS)
        return last_error();
    WCHAR pattern[MAX_PATH];
    swprintf(pattern, MAX_PATH, L"%ls\\*", from);
    WIN32_FIND_DATAW entry;
    HANDLE find = FindFirstFileW(pattern, &entry);
    if (find == INVALID_HANDLE_VALUE)
        return S_OK;
    HRESULT hr = S_OK;
    do {
        if (wcscmp(entry.cFileName, L".") == 0 || wcscmp(entry.cFileName, L"..") == 0)
            continue;
        WCHAR source[MAX_PATH], target[MAX_PATH];
        swprintf(source, MAX_PATH, L"%ls\\%ls", from, entry.cFileName);
        swprintf(target, MAX_PATH, L"%ls\\%ls", to, entry.cFileName);
        if (entry.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY)
            hr = copy_tree(source, target);
        else if (!CopyFileW(source, target, FALSE))
            hr = last_error();
    } while (hr == S_OK && FindNextFileW(find, &entry));
    FindClose(find);
    return hr;
}

/* remove_tree removes folder path and everything below it, read-only
 * files included. */
static HRESULT remove_tree(const WCHAR *path) {
    WCHAR pattern[MAX_PATH];
    swprintf(pattern, MAX_PATH, L"%ls\\*", path);
    WIN32_FIND_DATAW entry;
    HANDLE find = FindFirstFileW(pattern, &entry);
    if (find != INVALID_HANDLE_VALUE) {
        do {
            if (wcscmp(entry.cFileName, L".") == 0 || wcscmp(entry.cFileName, L"..") == 0)
                continue;
            WCHAR child[MAX_PATH];
            swprintf(child, MAX_PATH, L"%ls\\%ls", path, entry.cFileName);
            SetFileAttributesW(child, FILE_ATTRIBUTE_NORMAL);
            if (entry.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY)
                remove_tree(child);
            else
                DeleteFileW(child);
        } while (FindNextFileW(find, &entry));
        FindClose(find);
    }
    if (!RemoveDirectoryW(path) && GetLastError() != ERROR_FILE_NOT_FOUND && GetLastError() != ERROR_PATH_NOT_FOUND)
        return last_error();
    return S_OK;
}

__declspec(dllexport) HRESULT WINAPI CreateLayer(struct driver_info *info, PCWSTR id, PCWSTR parent) {
    (void)info;
    (void)parent;
    RETURN_IF_FAULT(L"CreateLayer");
    if (!CreateDirectoryW(id, NULL) && GetLastError() != ERROR_ALREADY_EXISTS)
        return last_error();
    return S_OK;
}

__declspec(dllexport) HRESULT WINAPI CreateSandboxLayer(struct driver_info *info, PCWSTR id, UINT_PTR parent, void *layers, UINT_PTR count) {
    (void)parent;
    (void)layers;
    (void)count;
    return CreateLayer(info, id, NULL);
}

__declspec(dllexport) HRESULT WINAPI DestroyLayer(struct driver_info *info, PCWSTR id) {
    (void)info;
    RETURN_IF_FAULT(L"DestroyLayer");
    unprepare(id);
    return remove_tree(id);
}

__declspec(dllexport) HRESULT WINAPI LayerExists(struct driver_info *info, PCWSTR id, DWORD *exists) {
    (void)info;
    RETURN_IF_FAULT(L"LayerExists");
    DWORD attributes = GetFileAttributesW(id);
    *exists = attributes != INVALID_FILE_ATTRIBUTES && (attributes & FILE_ATTRIBUTE_DIRECTORY);
    return S_OK;
}

__declspec(dllexport) HRESULT WINAPI ImportLayer(struct driver_info *info, PCWSTR id, PCWSTR path, void *layers, UINT_PTR count) {
    (void)info;
    (void)layers;
    (void)count;
    RETURN_IF_FAULT(L"ImportLayer");
    return copy_tree(path, id);
}

__declspec(dllexport) HRESULT WINAPI ExportLayer(struct driver_info *info, PCWSTR id, PCWSTR path, void *layers, UINT_PTR count) {
    (void)info;
    (void)layers;
    (void)count;
    RETURN_IF_FAULT(L"ExportLayer");
    return copy_tree(id, path);
}

__declspec(dllexport) HRESULT WINAPI PrepareLayer(struct driver_info *info, PCWSTR id, void *layers, UINT_PTR count) {
    (void)info;
    (void)layers;
    (void)count;
    RETURN_IF_FAULT(L"PrepareLayer");
    EnterCriticalSection(&lock);
    if (!*find_prepared(id)) {
        struct prepared *p = calloc(1, sizeof *p);
        wcsncpy(p->path, id, MAX_PATH - 1);
        p->next = prepared;
        prepared = p;
    }
    LeaveCriticalSection(&lock);
    return S_OK;
}

__declspec(dllexport) HRESULT WINAPI UnprepareLayer(struct driver_info *info, PCWSTR id) {
    (void)info;
    RETURN_IF_FAULT(L"UnprepareLayer");
    unprepare(id);
    return S_OK;
}

__declspec(dllexport) HRESULT WINAPI GetLayerMountPath(struct driver_info *info, PCWSTR id, UINT_PTR *length, WCHAR *buffer) {
    (void)info;
    RETURN_IF_FAULT(L"GetLayerMountPath");
    EnterCriticalSection(&lock);
    int is_prepared = *find_prepared(id) != NULL;
    LeaveCriticalSection(&lock);
    WCHAR path[MAX_PATH];
    if (is_prepared) {
        guid g;
        NameToGuid(id, &g);
        swprintf(path, MAX_PATH, L"\\\\?\\Volume{%08lx-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x}\\", (unsigned long)g.Data1, g.Data2,
                 g.Data3, g.Data4[0], g.Data4[1], g.Data4[2], g.Data4[3], g.Data4[4], g.Data4[5], g.Data4[6], g.Data4[7]);
    } else {
        wcsncpy(path, id, MAX_PATH - 1);
        path[MAX_PATH - 1] = 0;
    }
    UINT_PTR n = wcslen(path) + 1;
    if (buffer && *length >= n)
        memcpy(buffer, path, n * sizeof(WCHAR));
    *length = n;
    return S_OK;
}

/* GetBaseImages lists the base images HCS registered: none here, since
 * moby's images live in its own graph driver. */
__declspec(dllexport) HRESULT WINAPI GetBaseImages(PWSTR *images) {
    RETURN_IF_FAULT(L"GetBaseImages");
    *images = dup_string(L"{\"Images\":[]}");
    return S_OK;
}

/* The calls that have nothing to do here: the folder is the layer. */
#define ACCEPTED_LAYER_CALL(name)                                                                                      \
    __declspec(dllexport) HRESULT WINAPI name(struct driver_info *info, PCWSTR id) {                                   \
        (void)info;                                                                                                    \
        (void)id;                                                                                                      \
        RETURN_IF_FAULT(L## #name);                                                                                    \
        return S_OK;                                                                                                   \
    }

ACCEPTED_LAYER_CALL(ActivateLayer)
ACCEPTED_LAYER_CALL(DeactivateLayer)

__declspec(dllexport) HRESULT WINAPI ExpandSandboxSize(struct driver_info *info, PCWSTR id, ULONGLONG size) {
    (void)info;
    (void)id;
    (void)size;
    RETURN_IF_FAULT(L"ExpandSandboxSize");
    return S_OK;
}

__declspec(dllexport) HRESULT WINAPI ProcessBaseImage(PCWSTR path) {
    (void)path;
    RETURN_IF_FAULT(L"ProcessBaseImage");
    return S_OK;
}

__declspec(dllexport) HRESULT WINAPI ProcessUtilityImage(PCWSTR path) {
    (void)path;
    RETURN_IF_FAULT(L"ProcessUtilityImage");
    return S_OK;
}

__declspec(dllexport) HRESULT WINAPI GrantVmAccess(PCWSTR vm, PCWSTR path) {
    (void)vm;
    (void)path;
    RETURN_IF_FAULT(L"GrantVmAccess");
    return S_OK;
}

/* NameToGuid: two FNV-1a hashes of the name, formatted as a version 5 GUID. */
__declspec(dllexport) HRESULT WINAPI NameToGuid(PCWSTR name, guid *out) {
    unsigned long long a = 1469598103934665603ULL, b = 1099511628211ULL * 31;
    for (const WCHAR *c = name; *c; c++) {
        a = (a ^ *c) * 1099511628211ULL;
        b = (b ^ (*c + 7)) * 1099511628211ULL;
    }
    BYTE bytes[16];
    memcpy(bytes, &a, 8);
    memcpy(bytes + 8, &b, 8);
    bytes[6] = (bytes[6] & 0x0f) | 0x50;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    memcpy(out, bytes, 16);
    return S_OK;
}
