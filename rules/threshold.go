package rules

import (
	"fmt"
	"regexp"
	"slices"

	"dredge/rules/ast"
)

// tomlThreshold is the [rule.threshold] table of a rule file:
//
//	[rule.threshold]
//	field = ["host.id", "user.name"]   # or one name as a string; [] for none
//	value = 10
//
//	[[rule.threshold.cardinality]]
//	field = "destination.port"
//	value = 250
type tomlThreshold struct {
	// Field is a list of names, or one name as a string (rules written
	// before Kibana 7.12); "" and [] mean no field.
	Field       any               `toml:"field"`
	Value       int               `toml:"value"`
	Cardinality []tomlCardinality `toml:"cardinality"`
}

// tomlCardinality is one [[rule.threshold.cardinality]].
type tomlCardinality struct {
	Field string `toml:"field"`
	Value int    `toml:"value"`
}

// maxThresholdFields is the most group fields Kibana accepts.
const maxThresholdFields = 5

// threshold checks the settings as Kibana's rule validation does and
// returns them.
func (t *tomlThreshold) threshold() (*Threshold, error) {
	th := &Threshold{Value: t.Value}
	switch f := t.Field.(type) {
	case nil:
	case string:
		if f != "" {
			th.Fields = []string{f}
		}
	case []any:
		for _, x := range f {
			s, ok := x.(string)
			if !ok {
				return nil, fmt.Errorf("field must be a list of field names, not %v", f)
			}
			if s == "" {
				return nil, fmt.Errorf("field lists an empty field name")
			}
			if slices.Contains(th.Fields, s) {
				return nil, fmt.Errorf("field %q is listed twice", s)
			}
			th.Fields = append(th.Fields, s)
		}
	default:
		return nil, fmt.Errorf("field must be a list of field names, not %v", f)
	}
	if len(th.Fields) > maxThresholdFields {
		return nil, fmt.Errorf("%d fields; a threshold groups by %d fields at most", len(th.Fields), maxThresholdFields)
	}
	if th.Value < 1 {
		return nil, fmt.Errorf("value must be at least 1, not %d", th.Value)
	}
	for _, c := range t.Cardinality {
		if c.Field == "" {
			return nil, fmt.Errorf("a cardinality condition has no field")
		}
		if c.Value < 0 {
			return nil, fmt.Errorf("cardinality value of %s must be at least 0, not %d", c.Field, c.Value)
		}
		if slices.Contains(th.Fields, c.Field) {
			return nil, fmt.Errorf("cardinality of %s, a field the events are grouped by, is always 1", c.Field)
		}
		th.Cardinality = append(th.Cardinality, Cardinality(c))
	}
	return th, nil
}

var thresholdKey = regexp.MustCompile(`(?m)^[ \t]*\[[ \t]*rule[ \t]*\.[ \t]*threshold[ \t]*\]`)

// sectionLine returns the line of the table header that key finds in a rule
// file, 0 when there is none.
func sectionLine(data []byte, key *regexp.Regexp) int {
	loc := key.FindIndex(data)
	if loc == nil {
		return 0
	}
	line, _ := ast.LineCol(string(data), ast.Pos(loc[0]))
	return line
}
