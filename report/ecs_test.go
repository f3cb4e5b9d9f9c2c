package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

func TestECSGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := (Options{}).WriteECS(&buf, testResult()); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "report.ecs.ndjson", buf.Bytes())
}

// ecsLines writes res as ECS documents and returns each line, checked to
// be one JSON object without a duplicate key.
func ecsLines(t *testing.T, res *Result) [][]byte {
	t.Helper()
	var buf bytes.Buffer
	if err := (Options{}).WriteECS(&buf, res); err != nil {
		t.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSuffix(buf.Bytes(), []byte("\n")), []byte("\n"))
	if len(lines) != len(res.Hits) {
		t.Fatalf("%d lines, want one per hit: %d", len(lines), len(res.Hits))
	}
	for i, line := range lines {
		if err := noDuplicateKeys(line); err != nil {
			t.Errorf("line %d: %v\n%s", i+1, err, line)
		}
	}
	return lines
}

// noDuplicateKeys fails unless doc is one JSON object in which no object
// has a key twice, which Elasticsearch would reject.
func noDuplicateKeys(doc []byte) error {
	dec := json.NewDecoder(bytes.NewReader(doc))
	var walk func() error
	walk = func() error {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'):
			seen := map[string]bool{}
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return err
				}
				if seen[k.(string)] {
					return errors.New("duplicate key " + k.(string))
				}
				seen[k.(string)] = true
				if err := walk(); err != nil {
					return err
				}
			}
			_, err = dec.Token()
		case json.Delim('['):
			for dec.More() {
				if err := walk(); err != nil {
					return err
				}
			}
			_, err = dec.Token()
		}
		return err
	}
	if b := bytes.TrimSpace(doc); len(b) == 0 || b[0] != '{' {
		return errors.New("not a JSON object")
	}
	if err := walk(); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("more than one JSON value")
	}
	return nil
}

// TestECSOwnedFields checks that an event's own values of the fields an
// alert sets are kept under dredge.original, as they were, whether nested
// or dotted, and that an attacker cannot fake dredge's fields.
func TestECSOwnedFields(t *testing.T) {
	doc := `{"@timestamp":"2024-05-01T10:00:00Z","event":{"kind":"event","category":["process"],"risk_score":5},` +
		`"rule":{"name":"sysmon RuleName"},"rule.id":"7","threat.framework":"x","event.kind":"flat",` +
		`"dredge":{"version":"fake"},"dredge.origin.file":"fake","message":"a \"quoted\" \u00e9 message"}`
	res := &Result{Summary: Summary{Version: "0.1.0"}, Hits: []Hit{{
		Rule: ruleShell, Time: ms("2024-05-01T10:00:00Z"), Origin: Origin{File: "a.ndjson", Line: 2}, Document: []byte(doc),
	}}}
	line := ecsLines(t, res)[0]
	want := `{"@timestamp":"2024-05-01T10:00:00Z","event":{"category":["process"],"kind":"alert","risk_score":73,"risk_score_norm":73},` +
		`"message":"a \"quoted\" \u00e9 message",` +
		`"rule":{"id":"a1b2c3d4-0001-4000-8000-000000000001","uuid":"a1b2c3d4-0001-4000-8000-000000000001",` +
		`"name":"Reverse Shell via Bash Redirection",` +
		`"description":"Identifies a shell started with its standard streams redirected to a network socket,\nas attackers do to get an interactive shell back from a compromised host.",` +
		`"reference":["https://www.gnu.org/software/bash/manual/html_node/Redirections.html"]},` +
		`"threat":{"framework":"MITRE ATT&CK",` +
		`"tactic":{"id":["TA0002","TA0011"],"name":["Execution","Command and Control"],"reference":["https://attack.mitre.org/tactics/TA0002/","https://attack.mitre.org/tactics/TA0011/"]},` +
		`"technique":{"id":["T1059","T1071"],"name":["Command and Scripting Interpreter","Application Layer Protocol"],"reference":["https://attack.mitre.org/techniques/T1059/","https://attack.mitre.org/techniques/T1071/"],` +
		`"subtechnique":{"id":["T1059.004"],"name":["Unix Shell"],"reference":["https://attack.mitre.org/techniques/T1059/004/"]}}},` +
		`"dredge":{"version":"0.1.0","rule":{"severity":"high","type":"eql"},"origin":{"file":"a.ndjson","line":2},` +
		`"original":{"event":{"kind":"event","risk_score":5},"rule":{"name":"sysmon RuleName"},"rule.id":"7","threat.framework":"x","event.kind":"flat",` +
		`"dredge":{"version":"fake"},"dredge.origin.file":"fake"}}}`
	if string(line) != want {
		t.Errorf("got:\n%s\nwant:\n%s", line, want)
	}
}

// TestECSNotAnObject checks the alert of an event that is not a JSON object:
// its text is event.original, and the alert is still one valid document.
func TestECSNotAnObject(t *testing.T) {
	res := &Result{Hits: append(damagedHits(),
		Hit{Rule: ruleQuiet, Document: []byte(`[1,2]`)},
		Hit{Rule: ruleQuiet, Document: []byte(`"text"`)},
		Hit{Rule: ruleQuiet, Document: []byte(strings.Repeat("[", 400) + strings.Repeat("]", 400))},
		Hit{Rule: ruleQuiet, Document: []byte(`{"deep":` + strings.Repeat("[", 400) + strings.Repeat("]", 400) + `}`)},
	)}
	want := []any{
		`{"host":{"name":"a"`,
		"not json at all </script>",
		nil, // a JSON object, once its bytes that are not UTF-8 are U+FFFD
		"\uFFFD{",
		nil, // no document
		"{\"a\":1}\n{\"b\":2}",
		"[1,2]",
		"text",
		strings.Repeat("[", 400) + strings.Repeat("]", 400),
		`{"deep":` + strings.Repeat("[", 400) + strings.Repeat("]", 400) + `}`, // deeper than fastjson reads
	}
	for i, line := range ecsLines(t, res) {
		var doc struct {
			Event struct {
				Kind     string `json:"kind"`
				Original any    `json:"original"`
			} `json:"event"`
			User any `json:"user"`
		}
		if err := json.Unmarshal(line, &doc); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		if doc.Event.Kind != "alert" || doc.Event.Original != want[i] {
			t.Errorf("line %d: event.kind %q, event.original %q; want alert, %q\n%s", i+1, doc.Event.Kind, doc.Event.Original, want[i], line)
		}
	}
}

// TestECSTimes checks that dredge's times in an alert are in UTC whatever
// the display zone, and that the event's own @timestamp is left as it is.
func TestECSTimes(t *testing.T) {
	var plain, zoned bytes.Buffer
	if err := (Options{}).WriteECS(&plain, testResult()); err != nil {
		t.Fatal(err)
	}
	if err := (Options{TZ: time.FixedZone("", 2*3600)}).WriteECS(&zoned, testResult()); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(plain.Bytes(), zoned.Bytes()) {
		t.Errorf("a display zone changed the alerts:\n%s", zoned.Bytes())
	}
	// The threshold hit's document has @timestamp 2024-05-01T10:07:03.500Z.
	if !bytes.Contains(plain.Bytes(), []byte(`{"@timestamp":"2024-05-01T10:07:03.500Z",`)) {
		t.Errorf("an event's @timestamp was changed")
	}
}

// TestECSInterrupted checks that every alert of an interrupted scan says so.
func TestECSInterrupted(t *testing.T) {
	for i, line := range ecsLines(t, interruptedResult()) {
		if !bytes.Contains(line, []byte(`"dredge":{"version":"0.1.0","interrupted_by":"SIGINT",`)) {
			t.Errorf("line %d does not say the scan was interrupted:\n%s", i+1, line)
		}
	}
}

// FuzzECSDocument checks that any event gives one line of valid JSON, an
// alert, with no key twice in an object unless the event had one twice.
func FuzzECSDocument(f *testing.F) {
	for _, d := range equivDocs {
		f.Add([]byte(d.doc))
	}
	f.Add([]byte(`{"event":"x","rule":1,"rule.id":2,"event.kind":3,"dredge":{},"threat":[],"a":{"event":{"kind":1}}}`))
	f.Add([]byte(`{"event":{"kind":"event","risk_score":1,"risk_score_norm":2,"original":"x"},"\u0072ule":{}}`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		res := &Result{Hits: []Hit{{Rule: ruleShell, Document: doc, Events: []Event{{Document: doc}, {Missing: true}}}}}
		var buf bytes.Buffer
		if err := (Options{}).WriteECS(&buf, res); err != nil {
			t.Fatal(err)
		}
		line, ok := bytes.CutSuffix(buf.Bytes(), []byte("\n"))
		if !ok || bytes.IndexByte(line, '\n') >= 0 {
			t.Fatalf("not one line: %q", buf.Bytes())
		}
		if !json.Valid(line) {
			t.Fatalf("not valid JSON: %s", line)
		}
		var alert struct {
			Event struct {
				Kind string `json:"kind"`
			} `json:"event"`
		}
		if err := json.Unmarshal(line, &alert); err != nil || alert.Event.Kind != "alert" {
			t.Fatalf("event.kind is %q, not alert (%v): %s", alert.Event.Kind, err, line)
		}
		if noDuplicateKeys(doc) == nil {
			if err := noDuplicateKeys(line); err != nil {
				t.Fatalf("%v: %s", err, line)
			}
		}
	})
}
