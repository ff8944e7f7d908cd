package specvalidate

import "strings"

// FieldError is one entry of an "_errors" list.
type FieldError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// FieldErrors builds the "errors" object of Discord's 50035 Invalid Form
// Body response: violations nested by their pointer, each leaf holding
// {"_errors":[{"code","message"}]}. Array indexes become object keys ("0"),
// as in Discord's responses. Violations of the request as a whole (empty
// pointer) land in the top-level "_errors". Query parameter violations are
// keyed by the parameter name, which is how Discord reports them too.
//
// For example, a too-long custom_id at "/components/0/components/1/custom_id"
// becomes
//
//	{"components":{"0":{"components":{"1":{"custom_id":{"_errors":[...]}}}}}}
func FieldErrors(vs []Violation) map[string]any {
	root := map[string]any{}
	for _, v := range vs {
		node := root
		for _, tok := range splitPointer(v.Pointer) {
			child, ok := node[tok].(map[string]any)
			if !ok {
				child = map[string]any{}
				node[tok] = child
			}
			node = child
		}
		errs, _ := node["_errors"].([]FieldError)
		node["_errors"] = append(errs, FieldError{Code: v.Code, Message: v.Message})
	}
	return root
}

func splitPointer(ptr string) []string {
	if ptr == "" {
		return nil
	}
	toks := strings.Split(strings.TrimPrefix(ptr, "/"), "/")
	for i, t := range toks {
		toks[i] = unescapePointer(t)
	}
	return toks
}
