package specvalidate

import (
	"fmt"
	"strings"
	"testing"
)

func newValidator(tb testing.TB) *Validator {
	tb.Helper()
	v, err := New()
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	return v
}

func formatViolations(vs []Violation) string {
	var b strings.Builder
	for _, v := range vs {
		fmt.Fprintf(&b, "  %s %s [%s] %q: %s (%s)\n", v.Method, v.Route, v.In, v.Pointer, v.Code, v.Message)
	}
	return b.String()
}
