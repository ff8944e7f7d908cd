package specvalidate

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// englishPrinter renders the messages of errors without a Discord wording.
var englishPrinter = message.NewPrinter(language.English)

// schemaViolations turns a schema validation error into field violations.
//
// The spec models component and callback unions as oneOf/anyOf, so a single
// mistake fails every alternative. Reporting all of them would bury the real
// error, so each union is narrowed to the alternatives the value was meant
// for: those whose "type" discriminator matched, or else the alternatives
// that got furthest into the value.
func (s *spec) schemaViolations(err error, in string) []Violation {
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return []Violation{{In: in, Code: CodeInvalid, Message: err.Error()}}
	}
	var vs []Violation
	for _, leaf := range reduce(ve) {
		vs = append(vs, s.leafViolations(leaf, in)...)
	}
	return vs
}

// leaf is one elementary schema failure.
type leaf struct {
	loc    []string
	kind   jsonschema.ErrorKind
	schema string // absolute URL of the failing schema; "" for synthetic leaves
}

// reduce flattens a ValidationError tree into leaves, narrowing unions.
func reduce(e *jsonschema.ValidationError) []leaf {
	if len(e.Causes) == 0 {
		return []leaf{{loc: e.InstanceLocation, kind: e.ErrorKind, schema: e.SchemaURL}}
	}
	switch e.ErrorKind.(type) {
	case *kind.OneOf, *kind.AnyOf:
		return reduceUnion(e)
	}
	var out []leaf
	for _, c := range e.Causes {
		out = append(out, reduce(c)...)
	}
	return out
}

func reduceUnion(e *jsonschema.ValidationError) []leaf {
	branches := make([][]leaf, len(e.Causes))
	for i, c := range e.Causes {
		branches[i] = reduce(c)
	}
	typeLoc := append(slices.Clone(e.InstanceLocation), "type")

	// Alternatives whose "type" matched are the ones the client meant.
	var matched [][]leaf
	var wantTypes []any
	for _, b := range branches {
		if want, mismatch := typeMismatch(b, typeLoc); mismatch {
			wantTypes = append(wantTypes, want...)
			continue
		}
		matched = append(matched, b)
	}
	switch {
	case len(matched) == 0 && len(wantTypes) > 0:
		// No alternative has this type: one error on "type", like Discord's
		// UNION_TYPE_CHOICES.
		return []leaf{{loc: typeLoc, kind: &unionType{want: wantTypes}}}
	case len(matched) < len(branches) && len(matched) > 0:
		branches = matched
	}
	return bestBranch(branches)
}

// typeMismatch reports whether a branch failed on an enum/const at typeLoc,
// and which values it wanted there.
func typeMismatch(b []leaf, typeLoc []string) ([]any, bool) {
	for _, l := range b {
		if !slices.Equal(l.loc, typeLoc) {
			continue
		}
		switch k := l.kind.(type) {
		case *kind.Enum:
			return k.Want, true
		case *kind.Const:
			return []any{k.Want}, true
		}
	}
	return nil, false
}

// bestBranch picks the alternative that got furthest into the value: the
// deepest error wins, then errors other than a plain type mismatch (so
// {"type":"null"} branches lose to the real one), then fewer errors.
func bestBranch(branches [][]leaf) []leaf {
	best, bestScore := branches[0], score(branches[0])
	for _, b := range branches[1:] {
		if s := score(b); s.better(bestScore) {
			best, bestScore = b, s
		}
	}
	return best
}

type branchScore struct {
	depth   int
	typed   bool // the deepest error is not a type mismatch
	nErrors int
}

func score(b []leaf) branchScore {
	s := branchScore{nErrors: len(b)}
	for _, l := range b {
		_, isType := l.kind.(*kind.Type)
		if d := len(l.loc); d > s.depth || (d == s.depth && !isType) {
			s.depth, s.typed = d, !isType
		}
	}
	return s
}

func (s branchScore) better(o branchScore) bool {
	if s.depth != o.depth {
		return s.depth > o.depth
	}
	if s.typed != o.typed {
		return s.typed
	}
	return s.nErrors < o.nErrors
}

// unionType is the synthetic error for a union whose discriminator matched
// no alternative.
type unionType struct{ want []any }

func (*unionType) KeywordPath() []string { return []string{"oneOf"} }
func (u *unionType) LocalizedString(p *message.Printer) string {
	return fmt.Sprintf("Value of field \"type\" must be one of (%s).", joinValues(u.want))
}

// leafViolations converts one failure to violations with Discord's code and
// message wording.
func (s *spec) leafViolations(l leaf, in string) []Violation {
	ptr := pointer(l.loc)
	v := func(code, msg string) []Violation {
		return []Violation{{In: in, Pointer: ptr, Code: code, Message: msg}}
	}
	switch k := l.kind.(type) {
	case *unionType:
		return v(CodeUnionTypeChoices, fmt.Sprintf("Value of field \"type\" must be one of (%s).", joinValues(k.want)))
	case *kind.Required:
		var out []Violation
		for _, name := range k.Missing {
			out = append(out, Violation{In: in, Pointer: ptr + "/" + escapePointer(name), Code: CodeRequired, Message: "This field is required"})
		}
		return out
	case *kind.Type:
		return v(typeCode(k.Want), fmt.Sprintf("Value of type %s is not %s.", k.Got, strings.Join(k.Want, " or ")))
	case *kind.MaxLength, *kind.MinLength:
		return v(lengthError(s.bounds(l.schema, "minLength", "maxLength")))
	case *kind.MaxItems, *kind.MinItems:
		return v(lengthError(s.bounds(l.schema, "minItems", "maxItems")))
	case *kind.Minimum:
		return v(CodeNumberMin, fmt.Sprintf("Value should be greater than or equal to %s.", k.Want.RatString()))
	case *kind.ExclusiveMinimum:
		return v(CodeNumberMin, fmt.Sprintf("Value should be greater than %s.", k.Want.RatString()))
	case *kind.Maximum:
		return v(CodeNumberMax, fmt.Sprintf("Value should be less than or equal to %s.", k.Want.RatString()))
	case *kind.ExclusiveMaximum:
		return v(CodeNumberMax, fmt.Sprintf("Value should be less than %s.", k.Want.RatString()))
	case *kind.Enum:
		return v(CodeChoices, fmt.Sprintf("Value must be one of (%s).", joinValues(k.Want)))
	case *kind.Const:
		return v(CodeChoices, fmt.Sprintf("Value must be one of (%s).", joinValues([]any{k.Want})))
	case *kind.Pattern:
		if k.Want == snowflakePattern {
			return v(CodeNumberCoerce, fmt.Sprintf("Value %q is not snowflake.", fmt.Sprint(k.Got)))
		}
		return v(CodeRegex, "String value did not match validation regex.")
	}
	return v(CodeInvalid, l.kind.LocalizedString(englishPrinter))
}

// bounds reads a schema's lower and upper length keywords; absent ones are
// -1. A positive lower bound is only reported when there is an upper one.
func (s *spec) bounds(schemaURL, minKw, maxKw string) (min, max int) {
	min, max = -1, -1
	_, frag, ok := strings.Cut(schemaURL, "#")
	if !ok {
		return min, max
	}
	if decoded, err := url.PathUnescape(frag); err == nil {
		frag = decoded
	}
	schema := s.lookup(frag)
	if n, ok := intOf(schema[minKw]); ok {
		min = int(n)
	}
	if n, ok := intOf(schema[maxKw]); ok {
		max = int(n)
	}
	return min, max
}

// lengthError words a length violation the way Discord does: a field with
// both a positive minimum and a maximum gets BASE_TYPE_BAD_LENGTH ("Must be
// between 1 and 5 in length."), otherwise the one-sided codes.
func lengthError(min, max int) (code, msg string) {
	switch {
	case min > 0 && max >= 0:
		return CodeBadLength, fmt.Sprintf("Must be between %d and %d in length.", min, max)
	case max >= 0:
		return CodeMaxLength, fmt.Sprintf("Must be %d or fewer in length.", max)
	default:
		return CodeMinLength, fmt.Sprintf("Must be %d or more in length.", min)
	}
}

// snowflakePattern is the spec's SnowflakeType pattern.
const snowflakePattern = "^(0|[1-9][0-9]*)$"

// typeCode maps the wanted JSON type to Discord's conversion error code.
func typeCode(want []string) string {
	for _, t := range want {
		switch t {
		case "integer", "number":
			return CodeNumberCoerce
		case "object":
			return CodeDictConvert
		case "array":
			return CodeListConvert
		case "boolean":
			return CodeBoolConvert
		case "string":
			return CodeStringConvert
		}
	}
	return CodeInvalid
}

func joinValues(vals []any) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		if s, ok := v.(string); ok {
			parts[i] = "'" + s + "'"
		} else {
			parts[i] = fmt.Sprint(v)
		}
	}
	return strings.Join(parts, ", ")
}

// pointer renders an instance location as a JSON pointer.
func pointer(loc []string) string {
	var b strings.Builder
	for _, tok := range loc {
		b.WriteByte('/')
		b.WriteString(escapePointer(tok))
	}
	return b.String()
}
