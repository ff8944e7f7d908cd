// Package i18n holds the message catalogs (en and ru) and renders messages.
//
// Every module contributes one Catalog through the point Catalogs. Keys
// are namespaced by the module ("duel.round.started"); a key outside its
// module's namespace or defined twice is refused when the Bundle is built, so
// modules cannot overwrite each other's texts.
//
// Arguments are named, in slog style: T(locale, key, "name", value, ...). A
// message refers to them as {name}. Named arguments let a translation reorder
// them freely. A placeholder with no argument is left as written, so a missing
// argument is visible instead of silently empty.
package i18n

import (
	"fmt"
	"log/slog"
	"regexp"
	"sort"
	"strings"

	"github.com/disgoorg/disgo/discord"
	"github.com/together-bot/together/core/module"
)

// Supported locales. The first is the fallback when a text is missing.
const (
	EN = "en"
	RU = "ru"
)

// Locales lists every supported locale.
var Locales = []string{EN, RU}

// Catalog is one module's texts: locale → key → text.
type Catalog struct {
	Module   string
	Messages map[string]map[string]string
}

// Bundle is every catalog of the process merged.
type Bundle struct {
	msgs map[string]map[string]string // locale → key → text
	log  *slog.Logger
}

// NewBundle merges catalogs, refusing unknown locales, keys outside a module's
// namespace and duplicate keys.
func NewBundle(log *slog.Logger, catalogs ...Catalog) (*Bundle, error) {
	if log == nil {
		log = slog.Default()
	}
	b := &Bundle{msgs: map[string]map[string]string{}, log: log}
	for _, l := range Locales {
		b.msgs[l] = map[string]string{}
	}
	owner := map[string]string{}
	for _, c := range catalogs {
		for loc, keys := range c.Messages {
			if _, ok := b.msgs[loc]; !ok {
				return nil, fmt.Errorf("catalog %s: unsupported locale %q", c.Module, loc)
			}
			for k, v := range keys {
				if !strings.HasPrefix(k, c.Module+".") {
					return nil, fmt.Errorf("catalog %s: key %q must start with %q", c.Module, k, c.Module+".")
				}
				if prev, dup := owner[loc+"\x00"+k]; dup {
					return nil, fmt.Errorf("key %q (%s) defined by catalogs %s and %s", k, loc, prev, c.Module)
				}
				owner[loc+"\x00"+k] = c.Module
				b.msgs[loc][k] = v
			}
		}
	}
	return b, nil
}

// Has reports whether key exists in the locale (without fallback).
func (b *Bundle) Has(locale, key string) bool {
	_, ok := b.msgs[locale][key]
	return ok
}

// T renders key in locale with named args ("name", value, ...). A missing
// translation falls back to English; a key missing everywhere returns the key
// itself (and logs), so a gap never blanks a reply.
func (b *Bundle) T(locale, key string, args ...any) string {
	text, ok := b.msgs[locale][key]
	if !ok {
		text, ok = b.msgs[EN][key]
		if !ok {
			b.log.Error("i18n key missing", "key", key, "locale", locale)
			return key
		}
		b.log.Warn("i18n key missing in locale; using en", "key", key, "locale", locale)
	}
	return Format(text, args...)
}

// Localizations returns the key in every locale as Discord's localization map
// (for command names, descriptions and choices). English is the base and is
// not repeated; Russian goes under "ru".
func (b *Bundle) Localizations(key string) map[discord.Locale]string {
	out := map[discord.Locale]string{}
	if v, ok := b.msgs[RU][key]; ok {
		out[discord.LocaleRussian] = v
	}
	return out
}

var placeholder = regexp.MustCompile(`\{([a-zA-Z0-9_]+)\}`)

// Format replaces {name} by the value that follows "name" in args. Values are
// printed with %v.
func Format(text string, args ...any) string {
	if len(args) == 0 || !strings.Contains(text, "{") {
		return text
	}
	vals := make(map[string]string, len(args)/2)
	for i := 0; i+1 < len(args); i += 2 {
		name, ok := args[i].(string)
		if !ok {
			continue
		}
		vals[name] = fmt.Sprint(args[i+1])
	}
	return placeholder.ReplaceAllStringFunc(text, func(m string) string {
		if v, ok := vals[m[1:len(m)-1]]; ok {
			return v
		}
		return m
	})
}

// Placeholders lists the distinct {names} of a text, sorted.
func Placeholders(text string) []string {
	set := map[string]bool{}
	for _, m := range placeholder.FindAllStringSubmatch(text, -1) {
		set[m[1]] = true
	}
	out := make([]string, 0, len(set))
	for n := range set {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Problem is one completeness issue found by Check.
type Problem struct {
	Module, Key, Locale, Reason string
}

func (p Problem) String() string {
	return fmt.Sprintf("%s: key %q (%s): %s", p.Module, p.Key, p.Locale, p.Reason)
}

// Check reports keys missing in a locale, empty texts, and placeholders that
// differ between locales, across all catalogs.
func Check(catalogs ...Catalog) []Problem {
	var out []Problem
	for _, c := range catalogs {
		keys := map[string]bool{}
		for _, m := range c.Messages {
			for k := range m {
				keys[k] = true
			}
		}
		sorted := make([]string, 0, len(keys))
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		for _, k := range sorted {
			var ref []string
			refLoc := ""
			for _, loc := range Locales {
				text, ok := c.Messages[loc][k]
				switch {
				case !ok:
					out = append(out, Problem{c.Module, k, loc, "missing"})
					continue
				case strings.TrimSpace(text) == "":
					out = append(out, Problem{c.Module, k, loc, "empty"})
				}
				ph := Placeholders(text)
				if refLoc == "" {
					ref, refLoc = ph, loc
				} else if strings.Join(ph, ",") != strings.Join(ref, ",") {
					out = append(out, Problem{c.Module, k, loc, fmt.Sprintf("placeholders %v differ from %s %v", ph, refLoc, ref)})
				}
			}
		}
	}
	return out
}

// Resolve picks the locale of a reply: the guild's setting, else the
// Discord guild locale, else the deployment default. Anything that is not a
// supported locale is skipped.
func Resolve(guildSetting, discordGuildLocale, deploymentDefault string) string {
	for _, l := range []string{guildSetting, discordGuildLocale, deploymentDefault} {
		if n := Normalize(l); n != "" {
			return n
		}
	}
	return EN
}

// Normalize maps Discord locales ("en-US", "en-GB", "ru") to a supported
// locale, or "" when unsupported.
func Normalize(l string) string {
	l = strings.ToLower(strings.TrimSpace(l))
	base, _, _ := strings.Cut(l, "-")
	for _, s := range Locales {
		if base == s {
			return s
		}
	}
	return ""
}

// Catalogs is the extension point for module texts; the interaction layer
// merges every contribution into one Bundle.
var Catalogs = module.NewPoint[Catalog]("catalogs")
