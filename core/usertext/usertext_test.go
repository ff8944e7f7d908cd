package usertext

import (
	"errors"
	"testing"
	"unicode"

	"github.com/together-bot/together/core/i18n/i18ntest"
	"github.com/together-bot/together/core/refusal"
)

func TestClean(t *testing.T) {
	answer := Field{Name: "answer", Min: 2, Max: 5}
	optional := Field{Name: "title", Min: 0, Max: 5}
	tests := []struct {
		name    string
		f       Field
		in      string
		want    string
		wantErr error
		length  int // expected "length" argument of ErrLength
	}{
		{"plain", answer, "hey", "hey", nil, 0},
		{"trimmed spaces", answer, "  hey \n", "hey", nil, 0},
		{"empty", answer, "", "", ErrBlank, 0},
		{"ascii whitespace", answer, " \t\r\n\v\f ", "", ErrBlank, 0},
		{"unicode whitespace", answer, "\u00a0\u1680\u2000\u2007\u200a\u2028\u2029\u202f\u205f\u3000\u0085", "", ErrBlank, 0},
		{"zero-width space", answer, "\u200b\u200b\u200b", "", ErrBlank, 0},
		{"zero-width (non-)joiners", answer, "\u200c\u200d\u200c\u200d", "", ErrBlank, 0},
		{"word joiner and BOM", answer, "\u2060\ufeff\u2060", "", ErrBlank, 0},
		{"soft hyphen and bidi marks", answer, "\u00ad\u200e\u200f\u202a\u202c\u2066\u2069", "", ErrBlank, 0},
		{"mixed whitespace and format", answer, " \u200b \ufeff\t\u2060 ", "", ErrBlank, 0},
		{"combining marks alone", answer, "\u0301\u0308\u20dd", "", ErrBlank, 0},
		{"variation selectors alone", answer, "\ufe0f\ufe0e", "", ErrBlank, 0},
		{"hangul fillers", answer, "\u3164\u3164\u115f\uffa0", "", ErrBlank, 0},
		{"blank braille cell", answer, "\u2800\u2800\u2800", "", ErrBlank, 0},
		{"control characters", answer, "\x00\x07\x1b", "", ErrBlank, 0},
		{"tags alone", answer, "\U000e0067\U000e0062\U000e007f", "", ErrBlank, 0},
		{"invisible padding around text", answer, "\u200bhi\ufeff", "hi", nil, 0},
		{"invisible padding does not reach the minimum", answer, "\u200bh\u200b", "", ErrLength, 1},
		{"inner zero-width counts as Discord counts it", answer, "h\u200bi", "h\u200bi", nil, 0},
		{"base with combining mark", answer, "e\u0301e\u0301", "e\u0301e\u0301", nil, 0},
		{"one letter", answer, "x", "", ErrLength, 1},
		{"too long", answer, "abcdef", "", ErrLength, 6},
		{"max exactly", answer, "abcde", "abcde", nil, 0},
		{"astral emoji is one code point", answer, "😀😀😀😀😀", "😀😀😀😀😀", nil, 0},
		{"astral emoji over max", answer, "😀😀😀😀😀😀", "", ErrLength, 6},
		{"cyrillic counts letters, not bytes", answer, "привет"[:10], "приве", nil, 0},
		{"ZWJ family is five code points", answer, "👨\u200d👩\u200d👧", "👨\u200d👩\u200d👧", nil, 0},
		{"emoji with variation selector", answer, "❤\ufe0f", "❤\ufe0f", nil, 0},
		{"flag tag sequence keeps its tags", Field{Name: "t", Min: 1, Max: 10}, "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f\u200b ",
			"🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f", nil, 0},
		{"optional blank is empty", optional, " \u200b\u2060 ", "", nil, 0},
		{"optional invisible-only is empty", optional, "\u0301\u3164", "", nil, 0},
		{"optional empty", optional, "", "", nil, 0},
		{"optional still has a max", optional, "abcdef", "", ErrLength, 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.f.Clean(tt.in)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("Clean(%q) error = %v, want %v", tt.in, err, tt.wantErr)
			}
			if got != tt.want {
				t.Fatalf("Clean(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if err == nil {
				return
			}
			args := argMap(t, err)
			if args["field"] != tt.f.Name || args["min"] != tt.f.Min || args["max"] != tt.f.Max {
				t.Fatalf("refusal args %v do not name the field and its limits", args)
			}
			if errors.Is(err, ErrLength) && args["length"] != tt.length {
				t.Fatalf("length = %v, want %d", args["length"], tt.length)
			}
		})
	}
}

// Every format character (Cf) on its own, and any run of them, is blank.
func TestEveryFormatCharacterIsInvisible(t *testing.T) {
	f := Field{Name: "x", Min: 1, Max: 100}
	n := 0
	for _, rng := range unicode.Cf.R16 {
		for r := rune(rng.Lo); r <= rune(rng.Hi); r += rune(rng.Stride) {
			n++
			requireBlank(t, f, string(r)+string(r))
		}
	}
	for _, rng := range unicode.Cf.R32 {
		for r := rune(rng.Lo); r <= rune(rng.Hi); r += rune(rng.Stride) {
			n++
			requireBlank(t, f, string(r)+string(r))
		}
	}
	if n < 150 {
		t.Fatalf("walked %d format characters; the table is smaller than Unicode's Cf", n)
	}
}

// Every combining mark alone (no base to sit on) is blank.
func TestEveryCombiningMarkAloneIsInvisible(t *testing.T) {
	f := Field{Name: "x", Min: 1, Max: 100}
	for _, tab := range []*unicode.RangeTable{unicode.Mn, unicode.Mc, unicode.Me} {
		for _, rng := range tab.R16 {
			for r := rune(rng.Lo); r <= rune(rng.Hi); r += rune(rng.Stride) {
				requireBlank(t, f, string(r))
			}
		}
	}
}

func TestLenCountsCodePoints(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"", 0},
		{"abc", 3},
		{"ёж", 2},
		{"😀", 1},  // 2 UTF-16 units, 4 bytes: Discord counts 1
		{"👍🏽", 2}, // emoji + skin-tone modifier
		{"👨\u200d👩\u200d👧", 5},
		{"e\u0301", 2},
	}
	for _, tt := range tests {
		if got := Len(tt.in); got != tt.want {
			t.Errorf("Len(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestCatalogComplete(t *testing.T) {
	i18ntest.RequireComplete(t, Catalog)
}

func requireBlank(t *testing.T, f Field, s string) {
	t.Helper()
	if _, err := f.Clean(s); !errors.Is(err, ErrBlank) {
		t.Errorf("Clean(%+q) = %v, want ErrBlank", s, err)
	}
}

func argMap(t *testing.T, err error) map[string]any {
	t.Helper()
	var r *refusal.Error
	if !errors.As(err, &r) {
		t.Fatalf("%v is not a refusal", err)
	}
	m := map[string]any{}
	for i := 0; i+1 < len(r.Args); i += 2 {
		m[r.Args[i].(string)] = r.Args[i+1]
	}
	return m
}

func TestCut(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exact", 5, "exact"},
		{"toolong", 5, "tool…"},
		{"жжжжж", 3, "жж…"}, // code points, never half a character
		{"ab", 1, "…"},
		{"ab", 0, "…"},
	} {
		if got := Cut(tc.in, tc.n); got != tc.want {
			t.Errorf("Cut(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}
