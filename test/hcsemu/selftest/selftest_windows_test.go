package selftest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unsafe"

	"github.com/Microsoft/hcsshim"
	"golang.org/x/sys/windows"
	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"
)

// emulated skips on a host without the emulator: what these tests check is
// the emulator's stand-in behaviour (layers as plain folders), not HCS's.
func emulated(t *testing.T) string {
	t.Helper()
	if os.Getenv("LCW_HCS_EMULATOR") != "1" {
		t.Skip("LCW_HCS_EMULATOR is not 1: no HCS emulator (test/hcsemu) under this Wine")
	}
	return t.TempDir()
}

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	assert.NilError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	assert.NilError(t, os.WriteFile(path, []byte(body), 0o644))
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	assert.NilError(t, err)
	return string(b)
}

// A layer is a folder: created, prepared (mounted at a volume path), its
// folder again once unprepared, imported from and exported to the legacy
// format's folders, destroyed with everything in it.
func TestLayers(t *testing.T) {
	home := emulated(t)
	info := hcsshim.DriverInfo{HomeDir: home, Flavour: 1}

	assert.NilError(t, hcsshim.CreateSandboxLayer(info, "scratch", "", nil))
	exists, err := hcsshim.LayerExists(info, "scratch")
	assert.NilError(t, err)
	assert.Check(t, exists)
	path, err := hcsshim.GetLayerMountPath(info, "scratch")
	assert.NilError(t, err)
	assert.Equal(t, path, filepath.Join(home, "scratch"), "a layer not prepared is its folder")

	assert.NilError(t, hcsshim.ActivateLayer(info, "scratch"))
	assert.NilError(t, hcsshim.PrepareLayer(info, "scratch", nil))
	mounted, err := hcsshim.GetLayerMountPath(info, "scratch")
	assert.NilError(t, err)
	assert.Check(t, strings.HasPrefix(mounted, `\\?\Volume{`) && strings.HasSuffix(mounted, `}\`), mounted)
	again, err := hcsshim.GetLayerMountPath(info, "scratch")
	assert.NilError(t, err)
	assert.Equal(t, again, mounted, "the same volume each time")
	// The export itself: from v0.13 hcsshim's ExpandSandboxSize also mounts
	// the sandbox's VHDX, which Wine cannot.
	assert.NilError(t, expandSandboxSize(filepath.Join(home, "scratch"), 1<<30))
	assert.NilError(t, hcsshim.UnprepareLayer(info, "scratch"))
	assert.NilError(t, hcsshim.DeactivateLayer(info, "scratch"))
	path, err = hcsshim.GetLayerMountPath(info, "scratch")
	assert.NilError(t, err)
	assert.Equal(t, path, filepath.Join(home, "scratch"))

	staged := filepath.Join(home, "staged")
	writeFile(t, filepath.Join(staged, "Files", "Windows", "a.txt"), "layer file")
	writeFile(t, filepath.Join(staged, "Hives", "DefaultUser_Delta"), "hive")
	assert.NilError(t, hcsshim.ImportLayer(info, "imported", staged, nil))
	assert.Equal(t, readFile(t, filepath.Join(home, "imported", "Files", "Windows", "a.txt")), "layer file")
	assert.NilError(t, hcsshim.ProcessBaseLayer(filepath.Join(home, "imported")))
	exported := filepath.Join(home, "exported")
	assert.NilError(t, hcsshim.ExportLayer(info, "imported", exported, nil))
	assert.Equal(t, readFile(t, filepath.Join(exported, "Hives", "DefaultUser_Delta")), "hive")

	assert.NilError(t, os.Chmod(filepath.Join(home, "imported", "Files", "Windows", "a.txt"), 0o444))
	assert.NilError(t, hcsshim.DestroyLayer(info, "imported"))
	exists, err = hcsshim.LayerExists(info, "imported")
	assert.NilError(t, err)
	assert.Check(t, !exists, "destroyed with its read-only files")
	images, err := hcsshim.GetSharedBaseImages()
	assert.NilError(t, err)
	assert.Equal(t, images, `{"Images":[]}`)
}

// HNS keeps networks and endpoints in memory: created with an id, listed,
// found by id and name, attached, deleted.
func TestHNS(t *testing.T) {
	emulated(t)
	networks, err := hcsshim.HNSListNetworkRequest("GET", "", "")
	assert.NilError(t, err)
	assert.Check(t, is.Len(networks, 0))

	network, err := (&hcsshim.HNSNetwork{Name: "nat", Type: "NAT"}).Create()
	assert.NilError(t, err)
	assert.Check(t, network.Id != "")
	assert.Equal(t, network.Name, "nat")
	found, err := hcsshim.GetHNSNetworkByName("nat")
	assert.NilError(t, err)
	assert.Equal(t, found.Id, network.Id)

	endpoint, err := (&hcsshim.HNSEndpoint{Name: "web", VirtualNetwork: network.Id}).Create()
	assert.NilError(t, err)
	assert.Check(t, endpoint.Id != "" && endpoint.Id != network.Id)
	byID, err := hcsshim.GetHNSEndpointByID(endpoint.Id)
	assert.NilError(t, err)
	assert.Equal(t, byID.VirtualNetwork, network.Id)
	assert.NilError(t, endpoint.ContainerAttach("c1", 0))
	endpoints, err := hcsshim.HNSListEndpointRequest()
	assert.NilError(t, err)
	assert.Check(t, is.Len(endpoints, 1))

	_, err = endpoint.Delete()
	assert.NilError(t, err)
	_, err = hcsshim.GetHNSEndpointByID(endpoint.Id)
	assert.ErrorContains(t, err, "")
	_, err = network.Delete()
	assert.NilError(t, err)
	_, err = hcsshim.GetHNSNetworkByID(network.Id)
	assert.ErrorContains(t, err, "Element not found")

	globals, err := hcsshim.GetHNSGlobals()
	assert.NilError(t, err)
	assert.Check(t, globals.Version.Major >= 9, "a version moby's checks accept")
}

// expandSandboxSize calls the emulator's ExpandSandboxSize for the layer
// at path, as hcsshim's wclayer does.
func expandSandboxSize(path string, size uint64) error {
	var info struct {
		flavour uintptr
		home    *uint16
	}
	p, err := windows.UTF16PtrFromString(path)
	if err != nil {
		return err
	}
	hr, _, _ := windows.NewLazySystemDLL("vmcompute.dll").NewProc("ExpandSandboxSize").Call(
		uintptr(unsafe.Pointer(&info)), uintptr(unsafe.Pointer(p)), uintptr(size))
	if hr != 0 {
		return windows.Errno(hr)
	}
	return nil
}

var (
	kernel32    = windows.NewLazySystemDLL("kernel32.dll")
	backupRead  = kernel32.NewProc("BackupRead")
	backupWrite = kernel32.NewProc("BackupWrite")
)

// backup calls BackupRead or BackupWrite on f with b, as go-winio does.
func backup(t *testing.T, proc *windows.LazyProc, f *os.File, b []byte, abort bool, ctx *uintptr) int {
	t.Helper()
	var n uint32
	var p *byte
	if len(b) > 0 {
		p = &b[0]
	}
	aborting := uintptr(0)
	if abort {
		aborting = 1
	}
	r, _, err := proc.Call(f.Fd(), uintptr(unsafe.Pointer(p)), uintptr(len(b)), uintptr(unsafe.Pointer(&n)), aborting, 0, uintptr(unsafe.Pointer(ctx)))
	assert.Assert(t, r != 0, "%s: %v", proc.Name, err)
	return int(n)
}

// The Wine prefix's BackupWrite and BackupRead (winegaps.c under Wine)
// round-trip a file's data stream, in pieces of any size, and skip the
// streams a layer under Wine does not keep.
func TestBackupStreams(t *testing.T) {
	dir := emulated(t)
	data := strings.Repeat("backup stream data ", 1000)
	header := func(id uint32, size int, name string) []byte {
		h := make([]byte, 20, 20+2*len(name))
		*(*uint32)(unsafe.Pointer(&h[0])) = id
		*(*uint64)(unsafe.Pointer(&h[8])) = uint64(size)
		*(*uint32)(unsafe.Pointer(&h[16])) = uint32(2 * len(name))
		for _, c := range name {
			h = append(h, byte(c), 0)
		}
		return h
	}
	var stream []byte
	stream = append(stream, header(3, 4, "")...) // BACKUP_SECURITY_DATA, skipped
	stream = append(stream, 1, 2, 3, 4)
	stream = append(stream, header(1, len(data), "")...) // BACKUP_DATA
	stream = append(stream, data...)
	stream = append(stream, header(4, 5, ":ads:$DATA")...) // BACKUP_ALTERNATE_DATA, skipped
	stream = append(stream, "extra"...)

	path := filepath.Join(dir, "restored")
	f, err := os.Create(path)
	assert.NilError(t, err)
	var ctx uintptr
	for rest := stream; len(rest) > 0; {
		piece := rest[:min(7, len(rest))] // headers split across calls
		assert.Equal(t, backup(t, backupWrite, f, piece, false, &ctx), len(piece))
		rest = rest[len(piece):]
	}
	backup(t, backupWrite, f, nil, true, &ctx)
	assert.NilError(t, f.Close())
	assert.Equal(t, readFile(t, path), data)

	f, err = os.Open(path)
	assert.NilError(t, err)
	defer f.Close()
	var read []byte
	ctx = 0
	for {
		buf := make([]byte, 13)
		n := backup(t, backupRead, f, buf, false, &ctx)
		if n == 0 {
			break
		}
		read = append(read, buf[:n]...)
	}
	backup(t, backupRead, f, nil, true, &ctx)
	assert.DeepEqual(t, read, append(header(1, len(data), ""), data...))
}
