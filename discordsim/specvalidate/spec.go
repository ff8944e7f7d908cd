package specvalidate

import (
	"bytes"
	_ "embed"
	"fmt"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

//go:embed openapi.json
var openapiJSON []byte

// specURL is the base URL the spec is registered under in the schema
// compiler. It is never fetched: the document is added as a resource.
const specURL = "https://discord.com/api/v10/openapi.json"

// httpMethods are the operation keys of an OpenAPI path item.
var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// spec is the parsed OpenAPI document with its routing table and a lazily
// filled cache of compiled schemas. It is immutable apart from the cache.
type spec struct {
	doc    map[string]any
	errata []string // pointers corrected by applyErrata
	router *router
	ops    map[string]*operation // keyed "METHOD /route"

	mu       sync.Mutex // guards compiler and compiled; the compiler is not concurrency-safe
	compiler *jsonschema.Compiler
	compiled map[string]*jsonschema.Schema
}

// operation is what validation needs to know about one route + method.
type operation struct {
	route, method string
	query         map[string]string // query parameter name → schema pointer
	bodies        map[string]string // media type → schema pointer
}

// loadSpec parses the embedded spec once per process; the document is
// immutable, so every Validator can share it and its compiled schemas.
var loadSpec = sync.OnceValues(func() (*spec, error) { return parseSpec(openapiJSON) })

// parseRaw decodes the spec. UnmarshalJSON keeps numbers as json.Number,
// which the compiler needs to compare int64 bounds exactly.
func parseRaw(raw []byte) (map[string]any, error) {
	parsed, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("specvalidate: parsing openapi.json: %w", err)
	}
	doc, ok := parsed.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("specvalidate: openapi.json is %T, want an object", parsed)
	}
	return doc, nil
}

func parseSpec(raw []byte) (*spec, error) { return buildSpec(raw, true) }

// buildSpec parses and indexes the spec; withErrata=false keeps the spec
// exactly as published, which tests use to demonstrate each erratum.
func buildSpec(raw []byte, withErrata bool) (*spec, error) {
	doc, err := parseRaw(raw)
	if err != nil {
		return nil, err
	}
	var errata []string
	if withErrata {
		errata = applyErrata(doc)
	}
	compiler := jsonschema.NewCompiler()
	compiler.DefaultDraft(jsonschema.Draft2020)
	if err := compiler.AddResource(specURL, doc); err != nil {
		return nil, fmt.Errorf("specvalidate: registering openapi.json: %w", err)
	}
	s := &spec{
		doc:      doc,
		errata:   errata,
		router:   newRouter(),
		ops:      make(map[string]*operation),
		compiler: compiler,
		compiled: make(map[string]*jsonschema.Schema),
	}
	paths, _ := doc["paths"].(map[string]any)
	if len(paths) == 0 {
		return nil, fmt.Errorf("specvalidate: openapi.json has no paths")
	}
	for route, item := range paths {
		item, _ := item.(map[string]any)
		methods := s.addOperations(route, item)
		s.router.add(route, methods)
	}
	return s, nil
}

// addOperations records every operation of one path item and returns the
// upper-case methods it supports.
func (s *spec) addOperations(route string, item map[string]any) []string {
	base := "/paths/" + escapePointer(route)
	var methods []string
	for _, m := range httpMethods {
		raw, ok := item[m].(map[string]any)
		if !ok {
			continue
		}
		op := &operation{
			route:  route,
			method: strings.ToUpper(m),
			query:  make(map[string]string),
			bodies: make(map[string]string),
		}
		// Path-level parameters first so operation-level ones override them,
		// as OpenAPI specifies.
		addQueryParams(op.query, item["parameters"], base+"/parameters")
		addQueryParams(op.query, raw["parameters"], base+"/"+m+"/parameters")
		if rb, ok := raw["requestBody"].(map[string]any); ok {
			content, _ := rb["content"].(map[string]any)
			for mediaType := range content {
				op.bodies[mediaType] = base + "/" + m + "/requestBody/content/" + escapePointer(mediaType) + "/schema"
			}
		}
		s.ops[op.method+" "+route] = op
		methods = append(methods, op.method)
	}
	return methods
}

func addQueryParams(dst map[string]string, params any, ptr string) {
	list, _ := params.([]any)
	for i, p := range list {
		p, _ := p.(map[string]any)
		if p["in"] != "query" {
			continue
		}
		name, _ := p["name"].(string)
		dst[name] = fmt.Sprintf("%s/%d/schema", ptr, i)
	}
}

// schema compiles (once) and returns the schema at a JSON pointer into the
// spec.
func (s *spec) schema(ptr string) (*jsonschema.Schema, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sch, ok := s.compiled[ptr]; ok {
		return sch, nil
	}
	sch, err := s.compiler.Compile(specURL + "#" + ptr)
	if err != nil {
		return nil, fmt.Errorf("specvalidate: compiling %s: %w", ptr, err)
	}
	s.compiled[ptr] = sch
	return sch, nil
}

// lookup resolves a JSON pointer into the raw document, following one level
// of local $ref, so callers can inspect a schema's declared type.
func (s *spec) lookup(ptr string) map[string]any {
	var cur any = s.doc
	for _, tok := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		tok = unescapePointer(tok)
		switch c := cur.(type) {
		case map[string]any:
			cur = c[tok]
		case []any:
			var i int
			if _, err := fmt.Sscan(tok, &i); err != nil || i < 0 || i >= len(c) {
				return nil
			}
			cur = c[i]
		default:
			return nil
		}
	}
	obj, _ := cur.(map[string]any)
	if ref, ok := obj["$ref"].(string); ok && strings.HasPrefix(ref, "#/") {
		return s.lookup(ref[1:])
	}
	return obj
}

var (
	pointerEscaper   = strings.NewReplacer("~", "~0", "/", "~1")
	pointerUnescaper = strings.NewReplacer("~1", "/", "~0", "~")
)

// escapePointer escapes one JSON pointer token (RFC 6901).
func escapePointer(tok string) string { return pointerEscaper.Replace(tok) }

func unescapePointer(tok string) string { return pointerUnescaper.Replace(tok) }
