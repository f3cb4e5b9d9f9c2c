package scan

import (
	"os"
	"runtime"
)

// docStore keeps the documents of one worker's sequence and sample
// candidates out of memory until the ordered stage asks for those of its
// hits: most candidates never join a sequence, and together they can be a
// good part of the dump. Documents are appended to chunks of about a
// megabyte; a full chunk goes to a temporary file, unlinked as soon as it
// is made (where the system allows it), so that nothing is left behind
// whatever happens to the process. Without a usable temporary file the
// chunks stay in memory.
type docStore struct {
	f      *os.File
	failed bool    // no temporary file, or writing to it failed
	size   int64   // bytes written to the file
	chunks []chunk // the chunks so far; the last one is being filled
	spare  []byte  // the memory of the chunk last written out
}

// chunk is a run of documents: in the file at off when mem is nil.
type chunk struct {
	off int64
	n   int
	mem []byte
}

// docRef finds a document in a docStore.
type docRef struct {
	chunk int32
	n     int32
	off   int64 // in the chunk
}

const chunkSize = 1 << 20

// put stores doc and returns where to find it.
func (s *docStore) put(doc []byte) docRef {
	if len(s.chunks) == 0 || len(s.chunks[len(s.chunks)-1].mem)+len(doc) > chunkSize {
		s.seal()
		mem := s.spare
		if cap(mem) < len(doc) {
			mem = make([]byte, 0, max(chunkSize, len(doc)))
		}
		s.spare = nil
		s.chunks = append(s.chunks, chunk{mem: mem})
	}
	c := &s.chunks[len(s.chunks)-1]
	ref := docRef{chunk: int32(len(s.chunks) - 1), n: int32(len(doc)), off: int64(len(c.mem))}
	c.mem = append(c.mem, doc...)
	return ref
}

// seal writes the last chunk to the file, or keeps it in memory when there
// is no file.
func (s *docStore) seal() {
	if len(s.chunks) == 0 || s.failed {
		return
	}
	c := &s.chunks[len(s.chunks)-1]
	if s.f == nil {
		f, err := os.CreateTemp("", "dredge-candidates-*")
		if err != nil {
			s.failed = true
			return
		}
		if runtime.GOOS != "windows" {
			os.Remove(f.Name()) // unlinked: gone when closed, or when the process ends
		}
		s.f = f
	}
	if _, err := s.f.Write(c.mem); err != nil {
		s.failed = true // the chunk stays in memory, and the next ones
		return
	}
	// The chunk's memory serves the next one.
	c.off, c.n, s.spare, c.mem = s.size, len(c.mem), c.mem[:0], nil
	s.size += int64(c.n)
}

// get returns the document of ref; nil when it cannot be read back.
func (s *docStore) get(ref docRef) []byte {
	c := &s.chunks[ref.chunk]
	if c.mem != nil {
		return c.mem[ref.off : ref.off+int64(ref.n) : ref.off+int64(ref.n)]
	}
	b := make([]byte, ref.n)
	if _, err := s.f.ReadAt(b, c.off+ref.off); err != nil {
		return nil
	}
	return b
}

// close lets the file go.
func (s *docStore) close() {
	if s.f != nil {
		name := s.f.Name()
		s.f.Close()
		if runtime.GOOS == "windows" {
			os.Remove(name)
		}
	}
	s.chunks, s.spare = nil, nil
}
