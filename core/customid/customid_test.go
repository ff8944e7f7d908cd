package customid_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/together-bot/together/core/customid"
	"github.com/together-bot/together/core/customid/customidtest"
)

func TestRoundTrip(t *testing.T) {
	cases := []struct {
		module, action string
		args           []string
	}{
		{"core", "setup", nil},
		{"duel", "vote", []string{"123", "456"}},
		{"raid", "confirm", []string{""}},
		{"pair-home", "open_modal", []string{"a.b", "x=y", "UP-case_1"}},
	}
	for _, c := range cases {
		s, err := customid.New(c.module, c.action, c.args...)
		if err != nil {
			t.Fatalf("New(%q,%q,%q): %v", c.module, c.action, c.args, err)
		}
		id, err := customid.Parse(s)
		if err != nil {
			t.Fatalf("Parse(%q): %v", s, err)
		}
		if id.Version != "1" || id.Module != c.module || id.Action != c.action || len(id.Args) != len(c.args) {
			t.Fatalf("Parse(%q) = %+v", s, id)
		}
		for i := range c.args {
			if id.Args[i] != c.args[i] {
				t.Fatalf("arg %d = %q want %q", i, id.Args[i], c.args[i])
			}
		}
		if id.String() != s {
			t.Fatalf("String() = %q want %q", id.String(), s)
		}
	}
}

func TestNewRefuses(t *testing.T) {
	cases := []struct {
		name           string
		module, action string
		args           []string
		want           error
	}{
		{"empty module", "", "a", nil, customid.ErrBadChars},
		{"upper module", "Duel", "a", nil, customid.ErrBadChars},
		{"colon in action", "duel", "a:b", nil, customid.ErrBadChars},
		{"long action", "duel", strings.Repeat("a", 25), nil, customid.ErrBadChars},
		{"colon in arg", "duel", "a", []string{"x:y"}, customid.ErrBadChars},
		{"space in arg", "duel", "a", []string{"x y"}, customid.ErrBadChars},
		{"unicode arg", "duel", "a", []string{"пара"}, customid.ErrBadChars},
		{"too long", "duel", "a", []string{strings.Repeat("x", 90)}, customid.ErrTooLong},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := customid.New(c.module, c.action, c.args...)
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			var e *customid.Error
			if !errors.As(err, &e) {
				t.Fatalf("err %T is not *customid.Error", err)
			}
		})
	}
}

func TestParseRefusesTamperedTruncatedUnknown(t *testing.T) {
	good := customid.MustNew("duel", "vote", "123456789012345678", "42")
	cases := []struct {
		name string
		in   string
		want error
	}{
		{"empty", "", customid.ErrMalformed},
		{"foreign", "/duel/vote", customid.ErrNotOurs},
		{"old bot", "tb|1|duel|vote|e30", customid.ErrNotOurs},
		{"unknown version", "2" + good[1:], customid.ErrVersion},
		{"truncated by one", good[:len(good)-1], customid.ErrChecksum},
		{"truncated to args", good[:strings.LastIndex(good, ":")], customid.ErrChecksum},
		{"tampered arg", strings.Replace(good, "42", "43", 1), customid.ErrChecksum},
		{"tampered action", strings.Replace(good, "vote", "void", 1), customid.ErrChecksum},
		{"too few parts", "1:duel", customid.ErrMalformed},
		{"too long", "1:" + strings.Repeat("a", 120), customid.ErrTooLong},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := customid.Parse(c.in)
			if !errors.Is(err, c.want) {
				t.Fatalf("Parse(%q) err = %v, want %v", c.in, err, c.want)
			}
		})
	}
}

func TestBudgetMatchesNew(t *testing.T) {
	b := customid.Budget("duel", "submit")
	// One arg uses a separator plus its characters.
	if _, err := customid.New("duel", "submit", strings.Repeat("x", b-1)); err != nil {
		t.Fatalf("arg of budget-1 chars should fit: %v", err)
	}
	if _, err := customid.New("duel", "submit", strings.Repeat("x", b)); !errors.Is(err, customid.ErrTooLong) {
		t.Fatalf("arg of budget chars should not fit, err = %v", err)
	}
}

func TestRequireFitsHelper(t *testing.T) {
	customidtest.RequireFits(t, "duel", "submit", customidtest.Snowflake, customidtest.Snowflake, customidtest.Int64)
	customidtest.RequireFitsFunc(t, func() (string, error) { return customid.New("core", "setup_page", "3") })
}

func FuzzParse(f *testing.F) {
	f.Add(customid.MustNew("duel", "vote", "1", "2"))
	f.Add("1:a:b:0000")
	f.Add("1::::")
	f.Add("")
	f.Add("9:x:y:z")
	f.Fuzz(func(t *testing.T, s string) {
		id, err := customid.Parse(s)
		if err != nil {
			return
		}
		// Whatever parses must rebuild to exactly the same string.
		again, err := customid.New(id.Module, id.Action, id.Args...)
		if err != nil || again != s {
			t.Fatalf("Parse(%q) = %+v but New gives %q, %v", s, id, again, err)
		}
	})
}

func FuzzNew(f *testing.F) {
	f.Add("duel", "vote", "a", "b")
	f.Fuzz(func(t *testing.T, module, action, a, b string) {
		s, err := customid.New(module, action, a, b)
		if err != nil {
			return
		}
		if len(s) > customid.MaxLen {
			t.Fatalf("New built %d characters", len(s))
		}
		id, err := customid.Parse(s)
		if err != nil || id.Module != module || id.Action != action || id.Arg(0) != a || id.Arg(1) != b {
			t.Fatalf("round trip %q: %+v %v", s, id, err)
		}
	})
}
