package hall

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/together-bot/together/modules/hall/hallapi"
)

// Category is hallapi's; contributors name it there.
type Category = hallapi.Category

var keyPattern = regexp.MustCompile(`^[a-z0-9_]{1,24}$`)

// validate refuses a contribution the card could not show.
func validateCategory(c Category) error {
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
		if err := validateCategory(c); err != nil {
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
