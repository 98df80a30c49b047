package core

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"gotest.tools/v3/assert"
	"gotest.tools/v3/golden"

	"github.com/libcontainerd-windows/local/hcs"
)

// goldenFile is the golden document of spec name, as an absolute path,
// which the golden package takes as it is.
func goldenFile(t *testing.T, name string) string {
	abs, err := filepath.Abs(filepath.Join(specsDir, name+".golden"))
	assert.NilError(t, err)
	return abs
}

// renderDocuments is the golden form of a translation: both documents as
// indented JSON, or the error's class and text.
func renderDocuments(config *hcs.ContainerConfig, process *hcs.ProcessConfig, err error) string {
	if err != nil {
		return "error (" + errorClass(err) + "): " + err.Error() + "\n"
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(struct {
		Container *hcs.ContainerConfig
		Process   *hcs.ProcessConfig
	}{config, process}); err != nil {
		return "error (encoding): " + err.Error() + "\n"
	}
	return b.String()
}

func errorClass(err error) string {
	switch {
	case isInvalidParameter(err):
		return "invalid parameter"
	case isNotFound(err):
		return "not found"
	default:
		return "unclassified"
	}
}

func TestGoldenDocuments(t *testing.T) {
	for _, file := range goldenSpecs(t) {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		t.Run(name, func(t *testing.T) {
			spec := readSpec(t, file)
			config, process, err := Documents(context.Background(), name, spec, goldenHost())
			golden.Assert(t, renderDocuments(config, process, err), goldenFile(t, name))
			if err != nil {
				// Every rejection of the corpus is the spec's fault.
				assert.Check(t, isInvalidParameter(err), "%v", err)
				var ip interface{ InvalidParameter() }
				assert.Check(t, errors.As(err, &ip), "moby's errdefs sees no invalid parameter in %v", err)
			}
		})
	}
}
