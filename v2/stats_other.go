//go:build !windows

package local

import (
	"github.com/libcontainerd-windows/local/hcs"
	"github.com/libcontainerd-windows/local/v2/types"
)

// HCSStatistics returns the HCS statistics that s carries, or nil. On
// Windows they are s.HCSStats (hcs.Statistics is hcsshim's type there);
// elsewhere s.Metrics. It lets code that reads statistics run on every OS.
func HCSStatistics(s *types.Stats) *hcs.Statistics {
	if s == nil {
		return nil
	}
	st, _ := s.Metrics.(*hcs.Statistics)
	return st
}
