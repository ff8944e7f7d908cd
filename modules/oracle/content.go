package oracle

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/together-bot/together/core/i18n"
)

// Tone is how direct the guidance's phrase is.
type Tone string

// Context is the situation the member says the couple is in.
type Context string

// Tones and contexts in the order the picker shows them.
const (
	ToneSoft    Tone = "soft"
	ToneNeutral Tone = "neutral"
	ToneDirect  Tone = "direct"

	CtxConflict Context = "conflict"
	CtxAllGood  Context = "all_good"
	CtxRoutine  Context = "routine"
	CtxDistance Context = "distance"
	CtxFatigue  Context = "fatigue"
	CtxJealousy Context = "jealousy"
)

// Tones lists every tone; Contexts every context.
var (
	Tones    = []Tone{ToneSoft, ToneNeutral, ToneDirect}
	Contexts = []Context{CtxConflict, CtxAllGood, CtxRoutine, CtxDistance, CtxFatigue, CtxJealousy}
)

// Valid reports a known tone.
func (t Tone) Valid() bool { return slices.Contains(Tones, t) }

// Valid reports a known context.
func (c Context) Valid() bool { return slices.Contains(Contexts, c) }

// Guidance is what a claim gives: one archetype seen through one context and
// said in one tone.
type Guidance struct {
	Risk      string // what is likely to go wrong this week
	Step      string // one concrete thing to do
	Say       string // a phrase to say, in the chosen tone
	Avoid     string // one thing not to do
	Challenge string // a small, checkable challenge for the week
}

// Archetype is one entry of the library in one locale.
type Archetype struct {
	Key   string
	Title string
	Theme string
	// Contexts maps each context to its guidance; Say varies by tone.
	Contexts map[Context]contextEntry
}

// contextEntry is the JSON shape of one context of one archetype.
type contextEntry struct {
	Risk      string          `json:"risk"`
	Step      string          `json:"step"`
	Avoid     string          `json:"avoid"`
	Challenge string          `json:"challenge"`
	Say       map[Tone]string `json:"say"`
}

// archetypeFile is the JSON shape of content/<locale>/<key>.json.
type archetypeFile struct {
	Title    string                   `json:"title"`
	Theme    string                   `json:"theme"`
	Contexts map[Context]contextEntry `json:"contexts"`
}

// Library is every archetype in every locale, validated complete.
type Library struct {
	keys []string                         // sorted
	by   map[string]map[string]*Archetype // locale → key → archetype
}

//go:embed content
var contentFS embed.FS

// ErrContent reports an incomplete or malformed content library; the module
// refuses to start with one rather than show a blank field to a member.
var ErrContent = errors.New("oracle: content library")

var (
	defaultOnce sync.Once
	defaultLib  *Library
	defaultErr  error
)

// DefaultLibrary is the embedded library, loaded once.
func DefaultLibrary() (*Library, error) {
	defaultOnce.Do(func() {
		sub, err := fs.Sub(contentFS, "content")
		if err != nil {
			defaultErr = err
			return
		}
		defaultLib, defaultErr = LoadLibrary(sub)
	})
	return defaultLib, defaultErr
}

// LoadLibrary reads <locale>/<key>.json for every supported locale. Every
// locale must have the same keys, and every archetype every context with all
// five fields and every tone, non-empty.
func LoadLibrary(fsys fs.FS) (*Library, error) {
	lib := &Library{by: map[string]map[string]*Archetype{}}
	for _, loc := range i18n.Locales {
		entries, err := fs.ReadDir(fsys, loc)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrContent, loc, err)
		}
		lib.by[loc] = map[string]*Archetype{}
		var keys []string
		for _, e := range entries {
			if e.IsDir() || path.Ext(e.Name()) != ".json" {
				continue
			}
			key := strings.TrimSuffix(e.Name(), ".json")
			a, err := loadArchetype(fsys, loc, key)
			if err != nil {
				return nil, err
			}
			lib.by[loc][key] = a
			keys = append(keys, key)
		}
		slices.Sort(keys)
		if lib.keys == nil {
			lib.keys = keys
		} else if !slices.Equal(lib.keys, keys) {
			return nil, fmt.Errorf("%w: locale %s has archetypes %v, %s has %v", ErrContent, loc, keys, i18n.Locales[0], lib.keys)
		}
	}
	if len(lib.keys) == 0 {
		return nil, fmt.Errorf("%w: no archetypes", ErrContent)
	}
	return lib, nil
}

func loadArchetype(fsys fs.FS, loc, key string) (*Archetype, error) {
	raw, err := fs.ReadFile(fsys, path.Join(loc, key+".json"))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrContent, err)
	}
	var f archetypeFile
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%w: %s/%s.json: %v", ErrContent, loc, key, err)
	}
	where := loc + "/" + key
	if blank(f.Title) || blank(f.Theme) {
		return nil, fmt.Errorf("%w: %s: title and theme are required", ErrContent, where)
	}
	for c := range f.Contexts {
		if !c.Valid() {
			return nil, fmt.Errorf("%w: %s: unknown context %q", ErrContent, where, c)
		}
	}
	for _, c := range Contexts {
		e, ok := f.Contexts[c]
		if !ok {
			return nil, fmt.Errorf("%w: %s: context %s missing", ErrContent, where, c)
		}
		if blank(e.Risk) || blank(e.Step) || blank(e.Avoid) || blank(e.Challenge) {
			return nil, fmt.Errorf("%w: %s/%s: risk, step, avoid and challenge are required", ErrContent, where, c)
		}
		for _, t := range Tones {
			if blank(e.Say[t]) {
				return nil, fmt.Errorf("%w: %s/%s: phrase for tone %s missing", ErrContent, where, c, t)
			}
		}
		if len(e.Say) != len(Tones) {
			return nil, fmt.Errorf("%w: %s/%s: unknown tone in say", ErrContent, where, c)
		}
	}
	return &Archetype{Key: key, Title: f.Title, Theme: f.Theme, Contexts: f.Contexts}, nil
}

func blank(s string) bool { return strings.TrimSpace(s) == "" }

// Keys lists the archetype keys, sorted: the stable order PickArchetype uses.
func (l *Library) Keys() []string { return slices.Clone(l.keys) }

// Archetype returns key in locale, falling back to English for an unknown
// locale.
func (l *Library) Archetype(locale, key string) (*Archetype, bool) {
	m, ok := l.by[locale]
	if !ok {
		m = l.by[i18n.EN]
	}
	a, ok := m[key]
	return a, ok
}

// Guidance combines an archetype with a tone and a context.
func (l *Library) Guidance(locale, key string, t Tone, c Context) (Guidance, bool) {
	a, ok := l.Archetype(locale, key)
	if !ok || !t.Valid() || !c.Valid() {
		return Guidance{}, false
	}
	e := a.Contexts[c]
	return Guidance{Risk: e.Risk, Step: e.Step, Say: e.Say[t], Avoid: e.Avoid, Challenge: e.Challenge}, true
}
