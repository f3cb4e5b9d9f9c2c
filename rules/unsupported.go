package rules

import "fmt"

// unsupportedTypes says, for the rule types of the detection-rules
// collection that dredge cannot run, why not.
var unsupportedTypes = map[string]string{
	"machine_learning": "needs Elastic's ML jobs; dredge runs offline",
	"esql":             "is an ES|QL query, which needs Elasticsearch; dredge runs EQL and KQL",
	"threat_match":     "matches events against threat intelligence indicators kept in Elasticsearch; dredge runs offline",
	"saved_query":      "runs a query saved in Kibana, which the rule file need not hold; dredge runs the rule files' own queries",
}

// unsupportedType gives the reason a rule of type t cannot run.
func unsupportedType(t string) string {
	if why, ok := unsupportedTypes[t]; ok {
		return fmt.Sprintf("rule type %s %s", t, why)
	}
	return fmt.Sprintf("rule type %q is not supported", t)
}

// unsupportedLanguage gives the reason a query in language cannot run, or
// "" when it can.
func unsupportedLanguage(language string) string {
	switch language {
	case "eql", "kuery", "":
		return ""
	case "lucene":
		return "query language lucene (Lucene query syntax) is not supported; dredge runs EQL and KQL"
	}
	return fmt.Sprintf("query language %q is not supported; dredge runs EQL and KQL", language)
}
