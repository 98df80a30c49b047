package main

import (
	"archive/tar"
	"io"
	"os"
	"strings"
	"testing"

	"gotest.tools/v3/assert"
)

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	assert.NilError(t, err)
	return string(b)
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
