package corecmd

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestShortenEchoedInput(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"Europe/Berlin", "Europe/Berlin"},
		{strings.Repeat("x", 40), strings.Repeat("x", 40)},
		{strings.Repeat("x", 300), strings.Repeat("x", 39) + "…"},
		{strings.Repeat("я", 41), strings.Repeat("я", 39) + "…"},
	}
	for _, tt := range tests {
		got := shorten(tt.in, 40)
		if got != tt.want || utf8.RuneCountInString(got) > 40 {
			t.Errorf("shorten(%d runes) = %q", utf8.RuneCountInString(tt.in), got)
		}
	}
}
