package wined

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// ImageTar writes a `docker save` archive of a one-layer Windows image
// named tag: a base layer in the windowsfilter format (Files/ with
// Windows\System32\cmd.exe, Hives/, and UtilityVM/ when hyperv is set, for
// Hyper-V isolation). The files hold a placeholder: the HCS emulator runs
// the prefix's own programs, whatever the layer has.
func ImageTar(w io.Writer, tag string, hyperv bool) error {
	var layer bytes.Buffer
	lt := tar.NewWriter(&layer)
	when := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	dirs := []string{"Files/", "Files/Windows/", "Files/Windows/System32/", "Hives/"}
	if hyperv {
		dirs = append(dirs, "UtilityVM/", "UtilityVM/Files/")
	}
	for _, dir := range dirs {
		if err := lt.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: dir, Mode: 0o755, ModTime: when}); err != nil {
			return err
		}
	}
	body := []byte("placeholder: the emulator runs the prefix's cmd.exe\r\n")
	if err := lt.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: "Files/Windows/System32/cmd.exe", Mode: 0o644, Size: int64(len(body)), ModTime: when}); err != nil {
		return err
	}
	if _, err := lt.Write(body); err != nil {
		return err
	}
	if err := lt.Close(); err != nil {
		return err
	}
	diffID := sha256.Sum256(layer.Bytes())

	config, err := json.Marshal(map[string]any{
		"architecture": "amd64",
		"os":           "windows",
		"os.version":   "10.0.20348.1",
		"created":      when,
		"config":       map[string]any{"Cmd": []string{"cmd"}},
		"rootfs":       map[string]any{"type": "layers", "diff_ids": []string{"sha256:" + hex.EncodeToString(diffID[:])}},
		"history":      []map[string]any{{"created": when, "created_by": "test/dockerd"}},
	})
	if err != nil {
		return err
	}
	configID := sha256.Sum256(config)
	configName := hex.EncodeToString(configID[:]) + ".json"
	layerName := hex.EncodeToString(diffID[:]) + "/layer.tar"
	manifest, err := json.Marshal([]map[string]any{{"Config": configName, "RepoTags": []string{tag}, "Layers": []string{layerName}}})
	if err != nil {
		return err
	}

	out := tar.NewWriter(w)
	for _, f := range []struct {
		name string
		body []byte
	}{{configName, config}, {layerName, layer.Bytes()}, {"manifest.json", manifest}} {
		if err := out.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: f.name, Mode: 0o644, Size: int64(len(f.body)), ModTime: when}); err != nil {
			return fmt.Errorf("%s: %w", f.name, err)
		}
		if _, err := out.Write(f.body); err != nil {
			return err
		}
	}
	return out.Close()
}

// WriteImage writes the image's `docker save` archive (ImageTar) into dir
// and returns its Windows path, for `docker load -i`.
func WriteImage(dir, tag string, hyperv bool) (string, error) {
	path := filepath.Join(dir, strings.NewReplacer("/", "-", ":", "-").Replace(tag)+".tar")
	f, err := os.Create(path)
	if err != nil {
		return "", err
	}
	err = ImageTar(f, tag, hyperv)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return WindowsPath(path), err
}
