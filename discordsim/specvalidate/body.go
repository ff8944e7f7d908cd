package specvalidate

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/url"
	"slices"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

const (
	mediaJSON      = "application/json"
	mediaMultipart = "multipart/form-data"
	mediaForm      = "application/x-www-form-urlencoded"
)

// validateBody checks the request body against the operation's schema and
// the explicit limits. Operations without a request body ignore the body, as
// Discord does.
func (v *Validator) validateBody(op *operation, contentType string, body []byte) []Violation {
	if len(op.bodies) == 0 {
		return nil
	}
	mediaType, params, err := mime.ParseMediaType(contentType)
	if contentType == "" {
		// Discord's clients always send a content type; be lenient with
		// hand-written test requests and assume JSON.
		mediaType, err = mediaJSON, nil
	}
	if err != nil {
		return []Violation{{In: InBody, Code: CodeUnsupportedContent, Message: fmt.Sprintf("invalid Content-Type %q: %v", contentType, err)}}
	}
	ptr, ok := op.bodies[mediaType]
	if !ok {
		return []Violation{{In: InBody, Code: CodeUnsupportedContent,
			Message: fmt.Sprintf("Content-Type %q not accepted by %s %s", mediaType, op.method, op.route)}}
	}
	instance, bad := v.decodeBody(mediaType, params, ptr, body)
	if bad != nil {
		return []Violation{*bad}
	}
	sch, err := v.spec.schema(ptr)
	if err != nil {
		// The embedded spec is fixed, so this is a bug in the package or the
		// spec, not in the request; report it loudly rather than pass.
		return []Violation{{In: InBody, Code: CodeInvalid, Message: err.Error()}}
	}
	var vs []Violation
	if err := sch.Validate(instance); err != nil {
		vs = append(vs, v.spec.schemaViolations(err, InBody)...)
	}
	vs = append(vs, checkLimits(op, instance)...)
	return vs
}

// decodeBody turns the body into a JSON instance. For multipart bodies that
// is the payload_json part; a multipart body without one carries only files
// (and Discord reads no JSON fields from it), so it validates as {}.
func (v *Validator) decodeBody(mediaType string, params map[string]string, ptr string, body []byte) (any, *Violation) {
	switch mediaType {
	case mediaMultipart:
		payload, err := payloadJSON(body, params["boundary"])
		if err != nil {
			return nil, &Violation{In: InBody, Code: CodeInvalidJSON, Message: err.Error()}
		}
		if payload == nil {
			return map[string]any{}, nil
		}
		body = payload
	case mediaForm:
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, &Violation{In: InBody, Code: CodeInvalidJSON, Message: fmt.Sprintf("parsing form body: %v", err)}
		}
		return v.formInstance(ptr, form), nil
	}
	if len(bytes.TrimSpace(body)) == 0 {
		// An empty body is an empty object to Discord: required fields are
		// then reported individually.
		return map[string]any{}, nil
	}
	instance, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return nil, &Violation{In: InBody, Code: CodeInvalidJSON, Message: "The request body contains invalid JSON."}
	}
	return instance, nil
}

// payloadJSON returns the payload_json part of a multipart body, or nil if
// there is none.
func payloadJSON(body []byte, boundary string) ([]byte, error) {
	if boundary == "" {
		return nil, errors.New("multipart body without boundary")
	}
	r := multipart.NewReader(bytes.NewReader(body), boundary)
	for {
		part, err := r.NextPart()
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("reading multipart body: %w", err)
		}
		if part.FormName() != "payload_json" {
			continue
		}
		data, err := io.ReadAll(part)
		if err != nil {
			return nil, fmt.Errorf("reading payload_json: %w", err)
		}
		return data, nil
	}
}

// formInstance builds a JSON object from url-encoded fields, converting
// each to the type its property schema declares.
func (v *Validator) formInstance(ptr string, form url.Values) map[string]any {
	obj := make(map[string]any, len(form))
	root := v.spec.lookup(ptr)
	props, _ := root["properties"].(map[string]any)
	for name, values := range form {
		var prop map[string]any
		if p, ok := props[name].(map[string]any); ok {
			prop = v.spec.resolve(p)
		}
		obj[name] = v.coerce(prop, values)
	}
	return obj
}

// validateQuery checks the query parameters the operation declares;
// Discord ignores undeclared ones.
func (v *Validator) validateQuery(op *operation, query url.Values) []Violation {
	names := make([]string, 0, len(query))
	for name := range query {
		if _, ok := op.query[name]; ok {
			names = append(names, name)
		}
	}
	slices.Sort(names) // deterministic order
	var vs []Violation
	for _, name := range names {
		ptr := op.query[name]
		sch, err := v.spec.schema(ptr)
		if err != nil {
			vs = append(vs, Violation{In: InQuery, Pointer: "/" + name, Code: CodeInvalid, Message: err.Error()})
			continue
		}
		instance := v.coerce(v.spec.lookup(ptr), query[name])
		if err := sch.Validate(instance); err != nil {
			for _, viol := range v.spec.schemaViolations(err, InQuery) {
				viol.Pointer = "/" + escapePointer(name) + viol.Pointer
				vs = append(vs, viol)
			}
		}
	}
	return vs
}
