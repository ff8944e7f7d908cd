package hall

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// CategoryGroup is the fx value group other modules contribute Categories to.
const CategoryGroup = "hall_categories"

// Category is hall's extension point: one ranking on the card, owned by
// another module. Contribute it with
//
//	fx.Annotate(func(s *Service) hall.Category { ... }, fx.ResultTags(`group:"hall_categories"`))
//
// hall never imports the contributing module. The category is shown only
// while that module is deployed (it contributed) and on in the guild.
type Category struct {
	// Module is the contributing module's name; the guild gate is asked
	// about it before every render.
	Module string
	// Key identifies the category in opt-ins, /hall choices and frozen
	// cards: [a-z0-9_]{1,24}, unique across modules (usually the module's
	// name). Renaming it drops existing opt-ins.
	Key string
	// NameKey is the i18n key of the category's name, in the contributing
	// module's catalog ("duel.hall.category").
	NameKey string
	// Order sorts categories top to bottom (ties by Key).
	Order int
	// Points returns each pair's points in the guild for [from, to). db is
	// a read-only snapshot (the card's render or the finalizing
	// transaction): read through it only. Pairs with zero or negative
	// points are never ranked.
	Points func(ctx context.Context, db bun.IDB, guildID uint64, from, to time.Time) (map[int64]int, error)
}

var keyPattern = regexp.MustCompile(`^[a-z0-9_]{1,24}$`)

// validate refuses a contribution the card could not show.
func (c Category) validate() error {
	switch {
	case c.Module == "":
		return fmt.Errorf("%w: category %q has no Module", ErrBadCategory, c.Key)
	case !keyPattern.MatchString(c.Key):
		return fmt.Errorf("%w: key %q must match %s", ErrBadCategory, c.Key, keyPattern)
	case c.Key == choiceAll:
		return fmt.Errorf("%w: key %q is reserved", ErrBadCategory, c.Key)
	case c.NameKey == "":
		return fmt.Errorf("%w: category %q has no NameKey", ErrBadCategory, c.Key)
	case c.Points == nil:
		return fmt.Errorf("%w: category %q has no Points", ErrBadCategory, c.Key)
	}
	return nil
}

// sortCategories validates the contributions and orders them; value groups
// are unordered, so the card would otherwise shuffle between processes.
func sortCategories(in []Category) ([]Category, error) {
	out := slices.Clone(in)
	seen := map[string]string{}
	for _, c := range out {
		if err := c.validate(); err != nil {
			return nil, err
		}
		if m, dup := seen[c.Key]; dup {
			return nil, fmt.Errorf("%w: key %q contributed by %s and %s", ErrBadCategory, c.Key, m, c.Module)
		}
		seen[c.Key] = c.Module
	}
	slices.SortStableFunc(out, func(a, b Category) int {
		if a.Order != b.Order {
			return a.Order - b.Order
		}
		return strings.Compare(a.Key, b.Key)
	})
	return out, nil
}

// enabled keeps the categories whose module is on in the guild.
func (s *Service) enabled(ctx context.Context, guildID uint64) ([]Category, error) {
	out := make([]Category, 0, len(s.categories))
	for _, c := range s.categories {
		on, err := s.guilds.ModuleEnabled(ctx, c.Module, guildID)
		if err != nil {
			return nil, fmt.Errorf("hall: is %s on in guild %d: %w", c.Module, guildID, err)
		}
		if on {
			out = append(out, c)
		}
	}
	return out, nil
}

// category finds a deployed category by key.
func (s *Service) category(key string) (Category, bool) {
	for _, c := range s.categories {
		if c.Key == key {
			return c, true
		}
	}
	return Category{}, false
}

func keysOf(cs []Category) string {
	keys := make([]string, len(cs))
	for i, c := range cs {
		keys[i] = c.Key
	}
	return strings.Join(keys, ",")
}
