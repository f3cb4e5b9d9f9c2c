// Package ecs knows the Elasticsearch mapping type of every Elastic Common
// Schema field, from a table generated from ECS's own field list. Query
// semantics depend on it as they do in Elasticsearch: keyword fields compare
// exactly, text fields are analysed, ip fields take CIDR ranges, numbers
// and dates compare by value.
package ecs

//go:generate go run gen.go -in ../../shared/ecs/fields.csv -out fields.go

// Type is the kind of mapping an ECS field has, as far as matching cares.
type Type uint8

// The mapping kinds. Fields that ECS does not define are Keyword, as in
// detection rules over non-ECS data.
const (
	Keyword  Type = iota // keyword, constant_keyword
	Wildcard             // wildcard: a keyword that is stored for wildcard search
	Text                 // text, match_only_text: analysed
	IP                   // ip
	Number               // long, integer, short, byte, float, double, scaled_float, unsigned_long
	Date                 // date
	Bool                 // boolean
	Object               // object, nested, flattened, geo_point and other structured types
)

var typeNames = [...]string{Keyword: "keyword", Wildcard: "wildcard", Text: "text", IP: "ip",
	Number: "number", Date: "date", Bool: "boolean", Object: "object"}

func (t Type) String() string { return typeNames[t] }

// TypeOf returns the mapping kind of a dotted field name; Keyword for a
// field ECS does not define. Multi-fields such as process.name.text are
// fields of their own.
func TypeOf(field string) Type {
	if t, ok := fields[field]; ok {
		return t
	}
	return Keyword
}

// Known reports whether ECS defines the field.
func Known(field string) bool {
	_, ok := fields[field]
	return ok
}
