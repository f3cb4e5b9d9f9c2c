package decode

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// sharedData finds the real event dumps kept beside the repository.
func sharedData(t *testing.T) string {
	for _, dir := range []string{"/work/shared/data", "../../shared/data"} {
		if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
			return dir
		}
	}
	t.Skip("no shared data (/work/shared/data or ../shared/data beside the repository); skipping")
	return ""
}

// TestSharedData decodes every real dump: no problems, every event a JSON
// object, and as many events as the data's README counts.
func TestSharedData(t *testing.T) {
	dir := sharedData(t)
	want := map[string]int{
		"elastic_endpoint/endpoint-package_sample_events.ndjson":               9,
		"wrapped_formats/endpoint-package_network_test-dns.pipeline-test.json": 8,
		"winlogbeat_ecs/beats_winlogbeat_ingest_goldens.ndjson":                13,
		"wrapped_formats/sysmon-11-filedelete.golden.json":                     3,
		"wrapped_formats/sysmon-12-processcreate.golden.json":                  1,
		"winlogbeat6_legacy_mordor/empire_enable_rdp.ndjson":                   2668,
		"winlogbeat6_legacy_mordor/empire_invoke_runas.ndjson.gz":              2581,
		"winlogbeat6_legacy_mordor/empire_wdigest_downgrade.ndjson.zst":        2710,
		"endgame_legacy/eql_test_data.ndjson":                                  102,
		"nonecs_flat_windows_mordor/psh_lsass_memory_dump_comsvcs.ndjson":      184,
	}
	ins, probs, _ := Expand([]string{dir}) // passes over the data's README
	for _, p := range probs {
		t.Errorf("expand: %s", p)
	}
	seen := 0
	for _, in := range ins {
		rel, _ := filepath.Rel(dir, in.Path)
		if filepath.Ext(rel) == ".md" {
			continue
		}
		var problems []Problem
		r, err := Open(in, Options{Problem: func(p Problem) { problems = append(problems, p) }})
		if err != nil {
			t.Fatal(err)
		}
		events, formats := 0, map[string]bool{}
		for {
			c, err := r.Next()
			if err == io.EOF {
				break
			}
			formats[c.Format] = true
			forLines(c, func(line int, text []byte) {
				var m map[string]any
				if err := json.Unmarshal(text, &m); err != nil {
					t.Errorf("%s:%d: %v", rel, line, err)
				}
				events++
			})
			c.Release()
		}
		r.Close()
		for _, p := range problems {
			t.Errorf("%s", p)
		}
		if n, ok := want[rel]; ok {
			seen++
			if events != n {
				t.Errorf("%s: %d events, want %d", rel, events, n)
			}
		}
		t.Logf("%s: %s %v, %d events", rel, r.Compression(), formats, events)
	}
	if seen != len(want) {
		t.Errorf("found %d of the %d files the README lists", seen, len(want))
	}
}
