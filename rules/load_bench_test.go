package rules

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkLoadCollection loads and compiles Elastic's detection-rules
// collection, as `dredge scan --rules` does before its first event.
func BenchmarkLoadCollection(b *testing.B) {
	const dir = "../../shared/detection-rules"
	if _, err := os.Stat(dir); err != nil {
		b.Skipf("no rule collection at %s", dir)
	}
	var size int64
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if info, ierr := d.Info(); err == nil && ierr == nil && strings.HasSuffix(path, ".toml") {
			size += info.Size()
		}
		return nil
	})
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		l := LoadDirs([]string{dir})
		if len(l.Rules) < 1000 {
			b.Fatalf("loaded %d rules", len(l.Rules))
		}
	}
}

// BenchmarkDecodeTOML decodes every file of the detection-rules
// collection, read beforehand, with go-toml's Unmarshal (decodeTOML) and
// with the fast decoder that the loader uses.
func BenchmarkDecodeTOML(b *testing.B) {
	const dir = "../../shared/detection-rules"
	var files [][]byte
	var size int64
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".toml") {
			data, err := os.ReadFile(path)
			if err == nil {
				files = append(files, data)
				size += int64(len(data))
			}
		}
		return nil
	})
	if len(files) == 0 {
		b.Skipf("no rule collection at %s", dir)
	}
	b.Run("go-toml", func(b *testing.B) {
		b.SetBytes(size)
		b.ReportAllocs()
		for b.Loop() {
			for _, data := range files {
				var f file
				if err := decodeTOML(data, &f); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("fast", func(b *testing.B) {
		b.SetBytes(size)
		b.ReportAllocs()
		var d tomlDecoder
		for b.Loop() {
			for _, data := range files {
				var f file
				if err := d.decode(data, &f); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
