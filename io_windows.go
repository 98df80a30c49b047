package local

import (
	"io"

	"github.com/containerd/containerd/cio"
)

// newDirectIO builds the DirectIO with containerd's Windows constructor,
// which records whether the process has a terminal.
func newDirectIO(stdin io.WriteCloser, stdout, stderr io.ReadCloser, terminal bool) *cio.DirectIO {
	return cio.NewDirectIO(stdin, stdout, stderr, terminal)
}
