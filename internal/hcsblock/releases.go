package hcsblock

// putOff is what hcsblock tells of a release it puts off: called when the
// release begins, it returns the function to call once the release ended.
// A nil putOff tracks nothing.
type putOff func() (end func())

// begin is p's begin, or nothing for a nil p.
func (p putOff) begin() (end func()) {
	if p == nil {
		return func() {}
	}
	return p()
}
