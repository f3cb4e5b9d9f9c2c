package rules

import (
	"reflect"

	"github.com/BurntSushi/toml"
	fasttoml "github.com/pelletier/go-toml/v2"
)

// decodeTOML decodes a rule file into v. Loading a collection was mostly
// decoding TOML, so a well-formed file is decoded by go-toml, several times
// faster; a file it refuses is decoded again by BurntSushi/toml, whose
// errors (toml.ParseError, with line and column) the messages of dredge
// are made of. TestDecodeTOML checks that both decode the rule files alike.
func decodeTOML(data []byte, v any) error {
	if err := fasttoml.Unmarshal(data, v); err == nil {
		return nil
	}
	reflect.ValueOf(v).Elem().SetZero() // what go-toml had set
	_, err := toml.Decode(string(data), v)
	return err
}
