package i18n_test

import (
	"strings"
	"testing"

	"github.com/together-bot/together/core/i18n"
)

func TestFormatNamed(t *testing.T) {
	cases := []struct {
		text string
		args []any
		want string
	}{
		{"hello", nil, "hello"},
		{"{a} and {b}", []any{"b", 2, "a", "one"}, "one and 2"},
		{"{missing} stays", []any{"a", 1}, "{missing} stays"},
		{"{a}{a}", []any{"a", "x"}, "xx"},
		{"odd {a}", []any{"a"}, "odd {a}"},
	}
	for _, c := range cases {
		if got := i18n.Format(c.text, c.args...); got != c.want {
			t.Errorf("Format(%q, %v) = %q, want %q", c.text, c.args, got, c.want)
		}
	}
}

func TestBundleFallbackAndRefusals(t *testing.T) {
	b, err := i18n.NewBundle(nil, i18n.Catalog{Module: "m", Messages: map[string]map[string]string{
		"en": {"m.hi": "Hi {name}", "m.only_en": "only en"},
		"ru": {"m.hi": "Привет, {name}"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if got := b.T("ru", "m.hi", "name", "Аня"); got != "Привет, Аня" {
		t.Fatal(got)
	}
	if got := b.T("ru", "m.only_en"); got != "only en" {
		t.Fatal(got)
	}
	if got := b.T("en", "m.nope"); got != "m.nope" {
		t.Fatal(got)
	}
	if _, err := i18n.NewBundle(nil, i18n.Catalog{Module: "m", Messages: map[string]map[string]string{"en": {"x.k": "v"}}}); err == nil {
		t.Fatal("key outside namespace accepted")
	}
	if _, err := i18n.NewBundle(nil, i18n.Catalog{Module: "m", Messages: map[string]map[string]string{"de": {"m.k": "v"}}}); err == nil {
		t.Fatal("unsupported locale accepted")
	}
	dup := i18n.Catalog{Module: "m", Messages: map[string]map[string]string{"en": {"m.k": "v"}}}
	if _, err := i18n.NewBundle(nil, dup, dup); err == nil {
		t.Fatal("duplicate key accepted")
	}
}

func TestCheckFindsGaps(t *testing.T) {
	probs := i18n.Check(i18n.Catalog{Module: "m", Messages: map[string]map[string]string{
		"en": {"m.a": "A {x}", "m.b": "B", "m.c": " "},
		"ru": {"m.a": "А {y}", "m.c": "В"},
	}})
	var got []string
	for _, p := range probs {
		got = append(got, p.Key+"/"+p.Locale+"/"+strings.Fields(p.Reason)[0])
	}
	want := []string{"m.a/ru/placeholders", "m.b/ru/missing", "m.c/en/empty"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("problems = %v, want %v", got, want)
	}
}

func TestResolve(t *testing.T) {
	cases := []struct{ setting, discord, def, want string }{
		{"ru", "en-US", "en", "ru"},
		{"", "ru", "en", "ru"},
		{"", "en-GB", "ru", "en"},
		{"", "de", "ru", "ru"},
		{"", "", "", "en"},
		{"xx", "", "ru", "ru"},
	}
	for _, c := range cases {
		if got := i18n.Resolve(c.setting, c.discord, c.def); got != c.want {
			t.Errorf("Resolve(%q,%q,%q) = %q want %q", c.setting, c.discord, c.def, got, c.want)
		}
	}
}
