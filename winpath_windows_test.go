package local

import (
	"path/filepath"
	"testing"

	"gotest.tools/v3/assert"
)

// On Windows the portable rules must agree with path/filepath.
func TestWindowsPathRulesMatchFilepath(t *testing.T) {
	for _, tc := range winPathCases {
		_, base := filepath.Split(tc.path)
		assert.Check(t, winBase(tc.path) == base, "%q: ours %q, filepath %q", tc.path, winBase(tc.path), base)
		joined := filepath.Join(tc.path, "UtilityVM")
		assert.Check(t, winJoin(tc.path, "UtilityVM") == joined, "%q: ours %q, filepath %q", tc.path, winJoin(tc.path, "UtilityVM"), joined)
	}
}
