package rules

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// files loads rule files on every core (reading, decoding and compiling a
// rule depend on nothing else) and records the outcomes in the order of
// paths, as loading them one by one would.
func (l *Loaded) files(paths []string) {
	outs := make([]Loaded, len(paths))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.NumCPU(), len(paths)) {
		wg.Go(func() {
			var ld loader
			for {
				i := int(next.Add(1)) - 1
				if i >= len(paths) {
					return
				}
				outs[i].file(paths[i], &ld)
			}
		})
	}
	wg.Wait()
	for i := range outs {
		l.merge(&outs[i])
	}
}

// merge appends the outcome o to l. TestLoadedMerge checks that it knows
// every field of Loaded.
func (l *Loaded) merge(o *Loaded) {
	l.Rules = append(l.Rules, o.Rules...)
	l.Errors = append(l.Errors, o.Errors...)
	l.Unsupported = append(l.Unsupported, o.Unsupported...)
	l.Deprecated += o.Deprecated
	l.Files = append(l.Files, o.Files...)
}
