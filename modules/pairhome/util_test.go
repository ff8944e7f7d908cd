package pairhome

import (
	"encoding/json"
	"strings"
)

// norm turns the emulator's control-API values into plain JSON values.
func norm(v any) map[string]any {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		panic(err)
	}
	return out
}

// jsonText renders v as JSON without HTML escaping, so "<@id>" stays readable.
func jsonText(v any) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return b.String()
}
