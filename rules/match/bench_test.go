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
