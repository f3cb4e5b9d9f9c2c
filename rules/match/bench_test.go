package match

import (
	"testing"

	"dredge/rules/eql"

	"github.com/valyala/fastjson"
)

// BenchmarkConditions compares a fast node with scripts on one event.
func BenchmarkConditions(b *testing.B) {
	doc := `{"event":{"category":"process"},"process":{"name":"powershell.exe","pid":4242,` +
		`"args":["powershell.exe","-nop","-w","hidden","-enc","SQBFAFgA"],"parent":{"name":"winword.exe"}},` +
		`"source":{"ip":"10.6.48.157"},"@timestamp":"2024-05-01T10:00:00.000Z"}`
	v := fastjson.MustParse(doc)
	for _, bc := range []struct{ name, cond string }{
		{"fast equal", `process.name == "cmd.exe"`},
		{"fast wildcard", `process.args : ("*-enc*", "*-e *")`},
		{"fast startsWith", `startsWith~(process.parent.name, "WINWORD")`},
		{"fast cidrMatch", `cidrMatch(source.ip, "10.0.0.0/8", "192.168.0.0/16")`},
		{"script length", `length(process.args) > 6`},
		{"script arithmetic", `process.pid % 7 == 3`},
		{"script two fields", `substring(process.name, 0, 4) == substring(process.parent.name, 0, 4)`},
	} {
		q, err := eql.Parse("any where " + bc.cond)
		if err != nil {
			b.Fatal(err)
		}
		p, err := CompileEQL(q, Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(doc)))
			b.ReportAllocs()
			for b.Loop() {
				p.Match(v)
			}
		})
	}
}

// BenchmarkKQL measures KQL conditions of each kind on one event.
func BenchmarkKQL(b *testing.B) {
	doc := `{"@timestamp":"2024-05-01T10:00:00.000Z","event":{"category":["process"],"code":"4688"},` +
		`"process":{"name":"powershell.exe","pid":4242,"args":["powershell.exe","-nop","-w","hidden","-enc","SQBFAFgA"],` +
		`"command_line":"powershell.exe -nop -w hidden -enc SQBFAFgA","parent":{"name":"winword.exe"}},` +
		`"source":{"ip":"10.6.48.157","port":52000},"message":"Process powershell.exe started by winword.exe for user alice"}`
	v := fastjson.MustParse(doc)
	for _, bc := range []struct{ name, query string }{
		{"keyword list", `process.name:(cmd.exe or wscript.exe or cscript.exe or mshta.exe or rundll32.exe or regsvr32.exe or bash)`},
		{"keyword wildcard", `process.command_line:(*-enc* or *downloadstring*)`},
		{"ip cidr", `source.ip:(192.168.0.0/16 or 172.16.0.0/12)`},
		{"number range", `source.port >= 60000`},
		{"date range", `@timestamp < "2024-04-01"`},
		{"text match", `message:(mimikatz or lsass or procdump)`},
		{"text phrase", `message:"started by excel.exe"`},
		{"text multi-field", `process.command_line.text:downloadstring`},
		{"wildcard names", `process.*:mimikatz.exe`},
		{"free text", `mimikatz.exe`},
		{"nested", `process:{ name:cmd.exe and pid > 4000 }`},
	} {
		p := compileKQL(b, bc.query, Options{})
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(doc)))
			b.ReportAllocs()
			for b.Loop() {
				p.Match(v)
			}
		})
	}
}
