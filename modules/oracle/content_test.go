package oracle

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
	"unicode"

	"github.com/together-bot/together/core/i18n"
)

// Thresholds for "meaningfully different". Similarity is the Jaccard index
// of the sets of content words (three letters or more, lowercased). The
// library's real maxima are logged by the test; these bounds leave a margin
// above them while catching a text that only swapped a few words.
const (
	maxFieldSimilarity    = 0.5  // one field (risk, step…) of two archetypes
	maxGuidanceSimilarity = 0.25 // the whole five-part guidance of two archetypes
)

func TestLibraryIsCompleteInEveryLocale(t *testing.T) {
	t.Parallel()
	lib, err := DefaultLibrary()
	if err != nil {
		t.Fatal(err)
	}
	if n := len(lib.Keys()); n < 12 {
		t.Fatalf("%d archetypes, want at least 12", n)
	}
	for _, loc := range i18n.Locales {
		titles := map[string]string{}
		for _, k := range lib.Keys() {
			a, ok := lib.Archetype(loc, k)
			if !ok {
				t.Fatalf("%s/%s missing", loc, k)
			}
			if prev, dup := titles[a.Title]; dup {
				t.Errorf("%s: %s and %s share the title %q", loc, prev, k, a.Title)
			}
			titles[a.Title] = k
			for _, tone := range Tones {
				for _, c := range Contexts {
					g, ok := lib.Guidance(loc, k, tone, c)
					if !ok || blank(g.Risk) || blank(g.Step) || blank(g.Say) || blank(g.Avoid) || blank(g.Challenge) {
						t.Errorf("%s/%s/%s/%s incomplete: %+v", loc, k, tone, c, g)
					}
				}
			}
		}
	}
	// Russian is a translation, not a copy of the English text.
	for _, k := range lib.Keys() {
		en, _ := lib.Guidance(i18n.EN, k, ToneSoft, CtxConflict)
		ru, _ := lib.Guidance(i18n.RU, k, ToneSoft, CtxConflict)
		if !hasCyrillic(ru.Step) || en.Step == ru.Step {
			t.Errorf("%s: ru text is not Russian: %q", k, ru.Step)
		}
	}
}

// TestArchetypesGiveDifferentGuidance is the test for §12 item 12: for every
// locale, tone and context, no two archetypes may share a text, and none may
// be a near-copy of another (same words, a few swapped).
func TestArchetypesGiveDifferentGuidance(t *testing.T) {
	t.Parallel()
	lib, err := DefaultLibrary()
	if err != nil {
		t.Fatal(err)
	}
	problems, maxField, maxWhole := distinctness(lib)
	for _, p := range problems {
		t.Error(p)
	}
	t.Logf("highest similarity between two archetypes: one field %.2f (limit %.2f), whole guidance %.2f (limit %.2f)",
		maxField, maxFieldSimilarity, maxWhole, maxGuidanceSimilarity)
}

// The check itself must catch the original bot's defect: every archetype
// with the same variants (only the title differs), or with one word swapped.
func TestDistinctnessCatchesSharedVariants(t *testing.T) {
	t.Parallel()
	shared := libraryFS(t, func(key string, f *archetypeFile) {
		anchor := readArchetypeFile(t, "en", "anchor")
		f.Contexts = anchor.Contexts
	})
	lib, err := LoadLibrary(shared)
	if err != nil {
		t.Fatal(err)
	}
	if problems, _, _ := distinctness(lib); len(problems) == 0 {
		t.Fatal("shared variants were not reported")
	}
	swapped := libraryFS(t, func(key string, f *archetypeFile) {
		anchor := readArchetypeFile(t, "en", "anchor")
		for c, e := range anchor.Contexts {
			e.Risk = strings.Replace(e.Risk, "the", key, 1)
			e.Step = strings.Replace(e.Step, "the", key, 1)
			anchor.Contexts[c] = e
		}
		f.Contexts = anchor.Contexts
	})
	if lib, err = LoadLibrary(swapped); err != nil {
		t.Fatal(err)
	}
	if problems, _, _ := distinctness(lib); len(problems) == 0 {
		t.Fatal("near-copies with a swapped word were not reported")
	}
}

func TestTonesChangeThePhrase(t *testing.T) {
	t.Parallel()
	lib, err := DefaultLibrary()
	if err != nil {
		t.Fatal(err)
	}
	for _, loc := range i18n.Locales {
		for _, k := range lib.Keys() {
			for _, c := range Contexts {
				seen := map[string]Tone{}
				for _, tone := range Tones {
					g, _ := lib.Guidance(loc, k, tone, c)
					n := normalize(g.Say)
					if prev, dup := seen[n]; dup {
						t.Errorf("%s/%s/%s: tones %s and %s share the phrase %q", loc, k, c, prev, tone, g.Say)
					}
					seen[n] = tone
				}
			}
		}
	}
}

func TestLoadLibraryRefusesGaps(t *testing.T) {
	t.Parallel()
	missingTone := libraryFS(t, func(key string, f *archetypeFile) {
		if key == "forge" {
			e := f.Contexts[CtxFatigue]
			delete(e.Say, ToneDirect)
			f.Contexts[CtxFatigue] = e
		}
	})
	if _, err := LoadLibrary(missingTone); err == nil || !strings.Contains(err.Error(), "forge") {
		t.Errorf("missing tone: %v", err)
	}
	missingRU := fstest.MapFS{}
	src, _ := fs.Sub(contentFS, "content")
	_ = fs.WalkDir(src, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && p != "ru/pulse.json" {
			b, _ := fs.ReadFile(src, p)
			missingRU[p] = &fstest.MapFile{Data: b}
		}
		return nil
	})
	if _, err := LoadLibrary(missingRU); err == nil {
		t.Error("a locale without one archetype was accepted")
	}
}

// distinctness compares archetypes pairwise for every locale, tone and
// context and returns the problems plus the highest similarities seen.
func distinctness(lib *Library) (problems []string, maxField, maxWhole float64) {
	keys := lib.Keys()
	for _, loc := range i18n.Locales {
		for _, tone := range Tones {
			for _, c := range Contexts {
				texts := map[string]string{} // normalized text → "key.field"
				gs := make([]Guidance, len(keys))
				for i, k := range keys {
					gs[i], _ = lib.Guidance(loc, k, tone, c)
					for name, txt := range fields(gs[i]) {
						n := normalize(txt)
						if prev, dup := texts[n]; dup && !strings.HasPrefix(prev, k+".") {
							problems = append(problems, fmt.Sprintf("%s/%s/%s: %s.%s repeats %s: %q", loc, tone, c, k, name, prev, txt))
						}
						texts[n] = k + "." + name
					}
				}
				for i := range keys {
					for j := i + 1; j < len(keys); j++ {
						a, b := fields(gs[i]), fields(gs[j])
						for name := range a {
							s := similarity(a[name], b[name])
							maxField = max(maxField, s)
							if s > maxFieldSimilarity {
								problems = append(problems, fmt.Sprintf("%s/%s/%s: %s and %s have near-identical %s (%.2f): %q / %q",
									loc, tone, c, keys[i], keys[j], name, s, a[name], b[name]))
							}
						}
						s := similarity(whole(gs[i]), whole(gs[j]))
						maxWhole = max(maxWhole, s)
						if s > maxGuidanceSimilarity {
							problems = append(problems, fmt.Sprintf("%s/%s/%s: %s and %s give near-identical guidance (%.2f)",
								loc, tone, c, keys[i], keys[j], s))
						}
					}
				}
			}
		}
	}
	return problems, maxField, maxWhole
}

func fields(g Guidance) map[string]string {
	return map[string]string{"risk": g.Risk, "step": g.Step, "say": g.Say, "avoid": g.Avoid, "challenge": g.Challenge}
}

func whole(g Guidance) string {
	return strings.Join([]string{g.Risk, g.Step, g.Say, g.Avoid, g.Challenge}, " ")
}

// stopwords carry no meaning of their own; sharing them is not similarity.
var stopwords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`the and you your for with that this are was not but what when then than they them
		their one all who can let let's from about into just more have has had will would each other before after
		это что как так все всё его она они вас вам ваш вашего мне меня тебя тебе ты мой моя нас нам наш наши
		для или если когда чем чтобы только уже ещё при над под без про через друг друга давай один одна одно`) {
		stopwords[w] = true
	}
}

// words are the content words of s: lowercased letter runs of 3+ letters
// that are not stopwords.
func words(s string) map[string]bool {
	out := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' }) {
		if len([]rune(w)) >= 3 && !stopwords[w] {
			out[w] = true
		}
	}
	return out
}

func similarity(a, b string) float64 {
	wa, wb := words(a), words(b)
	if len(wa) == 0 && len(wb) == 0 {
		return 1
	}
	inter := 0
	for w := range wa {
		if wb[w] {
			inter++
		}
	}
	return float64(inter) / float64(len(wa)+len(wb)-inter)
}

func normalize(s string) string {
	return strings.Join(strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}), " ")
}

func hasCyrillic(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Cyrillic, r) {
			return true
		}
	}
	return false
}

func readArchetypeFile(t testing.TB, loc, key string) archetypeFile {
	t.Helper()
	b, err := contentFS.ReadFile("content/" + loc + "/" + key + ".json")
	if err != nil {
		t.Fatal(err)
	}
	var f archetypeFile
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	return f
}

// libraryFS copies the embedded library, letting edit change each
// archetype (all locales) before it is written back.
func libraryFS(t testing.TB, edit func(key string, f *archetypeFile)) fs.FS {
	t.Helper()
	lib, err := DefaultLibrary()
	if err != nil {
		t.Fatal(err)
	}
	out := fstest.MapFS{}
	for _, loc := range i18n.Locales {
		for _, k := range lib.Keys() {
			f := readArchetypeFile(t, loc, k)
			edit(k, &f)
			b, err := json.Marshal(f)
			if err != nil {
				t.Fatal(err)
			}
			out[loc+"/"+k+".json"] = &fstest.MapFile{Data: b}
		}
	}
	return out
}
