package specvalidate

import (
	"net/url"
	"slices"
)

// Validator validates requests against the embedded Discord OpenAPI spec.
// It is safe for concurrent use.
type Validator struct{ spec *spec }

// New returns a Validator over the embedded spec. The spec is parsed on the
// first call in a process and shared afterwards.
func New() (*Validator, error) {
	s, err := loadSpec()
	if err != nil {
		return nil, err
	}
	return &Validator{spec: s}, nil
}

// Match maps a path without the "/api/v10" prefix (the prefix is tolerated)
// to its route template, e.g. "/channels/1/messages" →
// "/channels/{channel_id}/messages", with the decoded path parameters.
// Literal segments such as "@me" or "@original" win over parameters. ok is
// false when no template matches (route is then "") or when the template
// exists but lacks the method (route and params are then still returned, so
// a server can answer 405 rather than 404).
func (v *Validator) Match(method, path string) (route string, params map[string]string, ok bool) {
	n, params := v.spec.router.match(path)
	if n == nil {
		return "", nil, false
	}
	return n.route, params, slices.Contains(n.methods, method)
}

// Methods lists the methods the spec defines for a path, or nil when no
// route matches it. It lets a server tell 404 from 405.
func (v *Validator) Methods(path string) []string {
	n, _ := v.spec.router.match(path)
	if n == nil {
		return nil
	}
	return slices.Clone(n.methods)
}

// Validate checks one request: its route and method, its query parameters
// and its body (JSON, or the payload_json part of multipart/form-data)
// against the spec, then Discord's documented limits the spec omits. path
// excludes the query string; body may be nil. It returns nil when the
// request is valid.
func (v *Validator) Validate(method, path string, query url.Values, contentType string, body []byte) []Violation {
	n, _ := v.spec.router.match(path)
	if n == nil {
		return []Violation{{Method: method, Path: path, In: InRoute, Code: CodeUnknownRoute, Message: "404: Not Found"}}
	}
	op := v.spec.ops[method+" "+n.route]
	if op == nil {
		return []Violation{{Method: method, Path: path, Route: n.route, In: InRoute, Code: CodeMethodNotAllowed, Message: "405: Method Not Allowed"}}
	}
	var vs []Violation
	vs = append(vs, v.validateQuery(op, query)...)
	vs = append(vs, v.validateBody(op, contentType, body)...)
	vs = dedupe(vs)
	for i := range vs {
		vs[i].Method, vs[i].Path, vs[i].Route = method, path, n.route
	}
	return vs
}

// dedupe drops violations repeating an earlier one's location and code:
// the schema and the explicit limit checks overlap on purpose (the checks
// document Discord's limits even where the spec has them too).
func dedupe(vs []Violation) []Violation {
	type key struct{ in, ptr, code string }
	seen := make(map[key]bool, len(vs))
	out := vs[:0]
	for _, v := range vs {
		k := key{v.In, v.Pointer, v.Code}
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, v)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// Errata lists the JSON pointers of spec schemas this package corrects
// because Discord (and disgo) accept more than the spec says; see errata.go.
func (v *Validator) Errata() []string { return slices.Clone(v.spec.errata) }

// Routes returns every route template of the spec with its methods.
func (v *Validator) Routes() map[string][]string {
	out := map[string][]string{}
	var walk func(n *node)
	walk = func(n *node) {
		if n.route != "" {
			out[n.route] = slices.Clone(n.methods)
		}
		for _, child := range n.literal {
			walk(child)
		}
		if n.param != nil {
			walk(n.param)
		}
	}
	walk(v.spec.router.root)
	return out
}
