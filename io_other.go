//go:build !windows

package local

import (
	"io"

	"github.com/containerd/containerd/cio"
)

// newDirectIO builds the DirectIO field by field: containerd's constructor
// that takes pipes exists only on Windows. Its Config().Terminal is false
// here, since containerd offers no portable way to set it; the process
// document still says whether a console is emulated.
func newDirectIO(stdin io.WriteCloser, stdout, stderr io.ReadCloser, _ bool) *cio.DirectIO {
	dio := &cio.DirectIO{}
	dio.Stdin, dio.Stdout, dio.Stderr = stdin, stdout, stderr
	return dio
}
