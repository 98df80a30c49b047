package wined

import (
	"archive/tar"
	"io"
	"strings"
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"
)

func TestImageTar(t *testing.T) {
	for _, hyperv := range []bool{false, true} {
		var b strings.Builder
		assert.NilError(t, ImageTar(&b, "lcw/x:y", hyperv))
		names := tarNames(t, b.String())
		assert.Check(t, is.Contains(names, "manifest.json"))
		layer := tarFile(t, b.String(), "/layer.tar")
		files := tarNames(t, layer)
		assert.Check(t, is.Contains(files, "Files/Windows/System32/cmd.exe"))
		assert.Check(t, is.Contains(files, "Hives/"))
		assert.Equal(t, contains(files, "UtilityVM/"), hyperv)
	}
}

// tarNames lists the entries of the tar archive a.
func tarNames(t *testing.T, a string) []string {
	t.Helper()
	var names []string
	r := tar.NewReader(strings.NewReader(a))
	for {
		h, err := r.Next()
		if err == io.EOF {
			return names
		}
		assert.NilError(t, err)
		names = append(names, h.Name)
	}
}

// tarFile is the body of the entry of archive a whose name ends in suffix.
func tarFile(t *testing.T, a, suffix string) string {
	t.Helper()
	r := tar.NewReader(strings.NewReader(a))
	for {
		h, err := r.Next()
		assert.NilError(t, err, "no entry ends in %s", suffix)
		if strings.HasSuffix(h.Name, suffix) {
			b, err := io.ReadAll(r)
			assert.NilError(t, err)
			return string(b)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
