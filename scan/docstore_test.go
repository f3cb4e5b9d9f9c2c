package scan

import (
	"bytes"
	"fmt"
	"testing"
)

// TestDocStore puts documents of all sizes, more than a chunk in all, in a
// docStore with a temporary file and in one without, and reads them back.
func TestDocStore(t *testing.T) {
	for _, noFile := range []bool{false, true} {
		t.Run(fmt.Sprintf("noFile=%v", noFile), func(t *testing.T) {
			s := &docStore{failed: noFile}
			defer s.close()
			var docs [][]byte
			var refs []docRef
			for i := range 3000 {
				d := bytes.Repeat([]byte{byte('a' + i%26)}, 1+(i*7919)%3000)
				if i == 1500 {
					d = bytes.Repeat([]byte("x"), chunkSize+10) // larger than a chunk
				}
				docs = append(docs, d)
				refs = append(refs, s.put(d))
			}
			if noFile && s.f != nil {
				t.Fatal("a file was made")
			}
			if !noFile && (s.f == nil || s.size == 0) {
				t.Fatal("nothing went to the file")
			}
			for i, r := range refs {
				if got := s.get(r); !bytes.Equal(got, docs[i]) {
					t.Fatalf("document %d: got %d bytes, want %d", i, len(got), len(docs[i]))
				}
			}
		})
	}
}
