// Package customidtest helps modules prove their custom ids fit Discord's
// 100-character limit with worst-case arguments (the old bot shipped ids of
// ~220 characters because its tests used "d1/r1/p1").
package customidtest

import (
	"testing"

	"github.com/together-bot/together/core/customid"
)

// Worst-case argument values to build ids with.
const (
	// Snowflake is the longest decimal snowflake (uint64 max).
	Snowflake = "18446744073709551615"
	// UUID is a canonical UUID with dashes.
	UUID = "ffffffff-ffff-ffff-ffff-ffffffffffff"
	// Int64 is the longest signed 64-bit decimal.
	Int64 = "-9223372036854775808"
)

// RequireFits builds the id with worst-case args, fails the test if it does
// not fit, and checks that it parses back to the same parts.
//
//	customidtest.RequireFits(t, "duel", "submit", customidtest.Int64, customidtest.Int64)
func RequireFits(t testing.TB, module, action string, worstArgs ...string) string {
	t.Helper()
	s, err := customid.New(module, action, worstArgs...)
	if err != nil {
		t.Fatalf("custom id %s:%s with worst-case args does not fit: %v (budget for args: %d characters)",
			module, action, err, customid.Budget(module, action))
	}
	id, err := customid.Parse(s)
	if err != nil {
		t.Fatalf("custom id %q does not parse back: %v", s, err)
	}
	if id.Module != module || id.Action != action || len(id.Args) != len(worstArgs) {
		t.Fatalf("custom id %q parsed as %+v", s, id)
	}
	for i := range worstArgs {
		if id.Args[i] != worstArgs[i] {
			t.Fatalf("custom id %q arg %d = %q, want %q", s, i, id.Args[i], worstArgs[i])
		}
	}
	return s
}

// RequireFitsFunc is for ids built by a module's own helper: build is called
// and its result must be a valid id of at most 100 characters.
func RequireFitsFunc(t testing.TB, build func() (string, error)) string {
	t.Helper()
	s, err := build()
	if err != nil {
		t.Fatalf("build custom id: %v", err)
	}
	if len(s) > customid.MaxLen {
		t.Fatalf("custom id %q is %d characters (max %d)", s, len(s), customid.MaxLen)
	}
	if _, err := customid.Parse(s); err != nil {
		t.Fatalf("custom id %q does not parse: %v", s, err)
	}
	return s
}
