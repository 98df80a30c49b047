// Package types is moby v28's and v29's libcontainerd API
// (github.com/docker/docker/libcontainerd/types, and
// github.com/moby/moby/v2/daemon/internal/libcontainerd/types) with the
// same names, method sets and string values, over containerd 2, shaped per
// OS as moby's is, so that an engine switches by changing import paths and still
// builds for every OS it supports: on Windows Stats carries
// *hcsshim.Statistics and Resources is empty (types_windows.go); elsewhere
// Stats carries Metrics and Resources is specs.LinuxResources
// (types_other.go, moby's types_linux.go).
package types
