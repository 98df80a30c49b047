package local

import (
	"github.com/containerd/containerd/v2/pkg/cio"

	"github.com/libcontainerd-windows/local/internal/core"
)

// newDirectIO builds the DirectIO with containerd's Windows constructor,
// which records whether the process has a terminal.
func newDirectIO(s core.Stdio) *cio.DirectIO {
	return cio.NewDirectIO(s.Stdin, s.Stdout, s.Stderr, s.Terminal)
}
