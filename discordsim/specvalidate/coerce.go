package specvalidate

import (
	"encoding/json"
	"strconv"
	"strings"
)

// coerce converts the string values of a query parameter or form field to
// the JSON type its schema declares, so the schema can judge them. A value
// that does not convert stays a string and the schema reports the type
// mismatch, like Discord's "Value "abc" is not int.".
func (v *Validator) coerce(schema map[string]any, values []string) any {
	types := v.spec.types(schema)
	if types["array"] && (len(values) > 1 || !types["string"]) {
		items, _ := schema["items"].(map[string]any)
		itemSchema := v.spec.resolve(items)
		out := make([]any, 0, len(values))
		for _, s := range values {
			// Discord also accepts comma-separated lists in one value.
			for _, part := range strings.Split(s, ",") {
				out = append(out, scalar(v.spec.types(itemSchema), part))
			}
		}
		return out
	}
	if len(values) == 0 {
		return nil
	}
	return scalar(types, values[len(values)-1])
}

// scalar converts one string to the first declared type it parses as.
func scalar(types map[string]bool, s string) any {
	if types["integer"] || types["number"] {
		if _, err := strconv.ParseFloat(s, 64); err == nil {
			return json.Number(s)
		}
	}
	if types["boolean"] {
		// Discord accepts Python-style booleans in query strings.
		switch strings.ToLower(s) {
		case "true", "1":
			return true
		case "false", "0":
			return false
		}
	}
	return s
}

// types returns the JSON types a schema admits, looking through $ref,
// oneOf, anyOf and allOf.
func (s *spec) types(schema map[string]any) map[string]bool {
	out := make(map[string]bool)
	s.collectTypes(s.resolve(schema), out, 0)
	return out
}

func (s *spec) collectTypes(schema map[string]any, out map[string]bool, depth int) {
	if schema == nil || depth > 8 {
		return
	}
	switch t := schema["type"].(type) {
	case string:
		out[t] = true
	case []any:
		for _, e := range t {
			if name, ok := e.(string); ok {
				out[name] = true
			}
		}
	}
	for _, kw := range []string{"oneOf", "anyOf", "allOf"} {
		list, _ := schema[kw].([]any)
		for _, sub := range list {
			sub, _ := sub.(map[string]any)
			s.collectTypes(s.resolve(sub), out, depth+1)
		}
	}
}

// resolve follows a local $ref.
func (s *spec) resolve(schema map[string]any) map[string]any {
	if ref, ok := schema["$ref"].(string); ok && strings.HasPrefix(ref, "#/") {
		return s.lookup(ref[1:])
	}
	return schema
}
