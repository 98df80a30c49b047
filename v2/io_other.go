//go:build !windows

package local

import (
	"github.com/containerd/containerd/v2/pkg/cio"

	"github.com/libcontainerd-windows/local/internal/core"
)

// newDirectIO builds the DirectIO field by field: containerd's constructor
// that takes pipes exists only on Windows. Its Config().Terminal is false
// here, since containerd offers no portable way to set it; the process
// document still says whether a console is emulated.
func newDirectIO(s core.Stdio) *cio.DirectIO {
	dio := &cio.DirectIO{}
	dio.Stdin, dio.Stdout, dio.Stderr = s.Stdin, s.Stdout, s.Stderr
	return dio
}
