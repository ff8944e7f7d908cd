// Package usertext is the one rule for text a member or staff member types:
// slash-command string options, modal inputs and free-form /config values.
//
//   - Trimmed: leading and trailing whitespace, control and format characters
//     are dropped (format characters at the end are kept when they are tag
//     characters, which complete an emoji flag such as 🏴󠁧󠁢󠁳󠁣󠁴󠁿).
//   - Invisible-only is blank: a text with no character that shows on its own
//     (only whitespace, zero-width or other format characters, default-ignorable
//     fillers, or combining marks with no base) is refused like an empty one.
//   - Lengths are counted as Discord counts them: in Unicode code points. Discord
//     staff, discord/discord-api-docs#1315: "Our API uses Python 3, so the API
//     calculates length based on the number of codepoints in the string". An
//     emoji outside the BMP is 1 (not 2 UTF-16 units), a family emoji joined by
//     ZWJ is as many code points as it has, and Discord applies the same count to
//     message content (2000), embeds, option values and text inputs. The emulator
//     (discordsim) counts the same way.
//
// Modules declare a Field per input and call Clean; its refusals are localized
// by the router from the core catalog (Catalog).
package usertext

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/together-bot/together/core/i18n"
	"github.com/together-bot/together/core/refusal"
)

// Refusals; both carry the field's name and its limits.
var (
	// ErrBlank: nothing visible is left once trimmed.
	ErrBlank = refusal.New("core.text.blank")
	// ErrLength: the trimmed text is shorter than Min or longer than Max.
	ErrLength = refusal.New("core.text.length")
)

// Field is one input's rule.
type Field struct {
	// Name is what the user sees the input called: the option name of a
	// slash command (option names are not localized) or the input's name.
	Name string
	// Min and Max bound the trimmed length in code points. Min 0 makes the
	// field optional: blank text is then accepted as "".
	Min, Max int
}

// Clean trims s and checks it against f. It returns the text to store, or
// ErrBlank / ErrLength carrying "field", "min", "max" and (for ErrLength)
// "length".
func (f Field) Clean(s string) (string, error) {
	t := Trim(s)
	if !Visible(t) {
		if f.Min > 0 {
			return "", ErrBlank.With("field", f.Name, "min", f.Min, "max", f.Max)
		}
		return "", nil
	}
	if n := Len(t); n < f.Min || n > f.Max {
		return "", ErrLength.With("field", f.Name, "min", f.Min, "max", f.Max, "length", n)
	}
	return t, nil
}

// Len is s's length as Discord counts it: code points.
func Len(s string) int { return utf8.RuneCountInString(s) }

// Cut shortens s to at most n code points, ending it with "…" when it
// cut anything: the one way to fit text into a Discord limit or a column.
func Cut(s string, n int) string {
	if Len(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:max(n-1, 0)]) + "…"
}

// Trim drops leading and trailing whitespace, control and format characters.
// Tag characters stay at the end, where they close an emoji tag sequence.
func Trim(s string) string {
	s = strings.TrimLeftFunc(s, func(r rune) bool { return edgeJunk(r) })
	return strings.TrimRightFunc(s, func(r rune) bool { return edgeJunk(r) && !isTag(r) })
}

// Visible reports whether s has at least one character that shows on its
// own.
func Visible(s string) bool {
	for _, r := range s {
		if !invisible(r) {
			return true
		}
	}
	return false
}

func edgeJunk(r rune) bool {
	return unicode.IsSpace(r) || unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Cf, r)
}

// isTag: U+E0000..U+E007F, the tag characters of emoji tag sequences.
func isTag(r rune) bool { return r >= 0xE0000 && r <= 0xE007F }

// invisible characters do not show on their own: whitespace, controls, format
// characters (Cf: zero-width space and joiners, word joiner, BOM, bidi marks,
// tags, …), combining marks (they need a base), the default-ignorable fillers
// (Hangul fillers U+115F, U+1160, U+3164, U+FFA0, variation selectors, …) and
// the blank braille pattern U+2800, which renders as an empty cell.
func invisible(r rune) bool {
	return unicode.IsSpace(r) ||
		unicode.In(r, unicode.Cc, unicode.Cf, unicode.M, unicode.Variation_Selector, unicode.Other_Default_Ignorable_Code_Point) ||
		r == '\u2800'
}

// Catalog holds the refusals' texts (module "core").
var Catalog = i18n.Catalog{Module: "core", Messages: map[string]map[string]string{
	i18n.EN: {
		"core.text.blank":  "**{field}** has no visible text. Write {min} to {max} characters.",
		"core.text.length": "**{field}** must be {min} to {max} characters long; yours has {length}.",
	},
	i18n.RU: {
		"core.text.blank":  "В поле **{field}** нет видимого текста. Напишите от {min} до {max} символов.",
		"core.text.length": "**{field}**: нужно от {min} до {max} символов, у вас {length}.",
	},
}}
