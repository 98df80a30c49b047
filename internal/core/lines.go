package core

import "errors"

// Line is what the backend does differently for one range of moby lines.
// Everything else is the same for all of them; what differs in the API
// (types, signatures) is each front's, listed here so that the lines'
// differences read in one place:
//
//	                         moby v26.1, v27.x (root module)     moby v28.x, v29 (module v2)
//	NewClient                (ctx, *containerd.Client, stateDir, (ctx, Backend)
//	                          namespace, Backend)
//	containerd types         containerd 1.7: containerd, cio     containerd 2: v2/client, v2/pkg/cio
//	errdefs sentinels        containerd/errdefs and containerd   containerd/errdefs
//	                          1.7's own (distinct up to 1.7.18)
//	log entry fields         module, namespace                   module
//	Pause, process isolation containerd's ErrNotImplemented      "not implemented for containers
//	                                                              using process isolation"
//	types.InterfaceToStats   *hcsshim.Statistics                 also the runhcs shim's statistics
//	                                                              (moby v29)
//
// Both lines count the host's CPUs as the process's affinity mask does
// (moby v26's sysinfo.NumCPU, v27 on runtime.NumCPU: the same on Windows),
// and set a process summary's CreatedAt as hcsshim's type has it (a
// time.Time before hcsshim v0.12, a protobuf timestamp from it).
type Line struct {
	// PauseUnsupported is the cause of Pause's not-implemented error for
	// a process-isolated container, moby's text.
	PauseUnsupported error
}

// The lines.
var (
	Moby26 = Line{PauseUnsupported: errSentinelNotImplemented}
	Moby28 = Line{PauseUnsupported: errors.New("not implemented for containers using process isolation")}
)
