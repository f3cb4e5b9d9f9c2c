package scan

import (
	"os"
	"sync"
	"testing"

	"dredge/rules"
)

// collectionDir is Elastic's detection-rules collection, when the shared
// folder is present.
const collectionDir = "/work/shared/detection-rules"

var (
	collectionOnce  sync.Once
	collectionRules []*rules.Rule
)

// collection loads every rule of the detection-rules collection that
// compiles, once per test binary; it skips the test when the collection is
// absent.
func collection(tb testing.TB) []*rules.Rule {
	tb.Helper()
	if _, err := os.Stat(collectionDir); err != nil {
		tb.Skipf("no rule collection at %s", collectionDir)
	}
	collectionOnce.Do(func() {
		collectionRules = rules.LoadDirs([]string{collectionDir}).Rules
	})
	if len(collectionRules) == 0 {
		tb.Skipf("no rule of %s compiles", collectionDir)
	}
	return collectionRules
}
