package hall

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// CardKind is the card's projection kind; its key is "<guild>:<YYYY-MM>".
const CardKind = "hall.card"

// Card states.
const (
	StatusLive  = "live"
	StatusFinal = "final"
)

// topN is how many pairs each category names.
const topN = 5

// Card is one guild's card for one month (a hall_cards row).
type Card struct {
	GuildID uint64
	Month   Month
	// [Start, End) is the period counted: the month in the guild's
	// timezone when the card was created (see the migration).
	Start, End time.Time
	Timezone   string
	Status     string
	Shown      string
	// Frozen at finalization (zero while live).
	ChannelID   uint64
	ActivePairs int
	FinalizedAt *time.Time
}

// Key is the card's projection key.
func (c Card) Key() string { return cardKey(c.GuildID, c.Month) }

// Live reports a card still counting.
func (c Card) Live() bool { return c.Status == StatusLive }

func cardKey(guildID uint64, m Month) string { return fmt.Sprintf("%d:%s", guildID, m) }

func parseCardKey(key string) (uint64, Month, error) {
	g, m, ok := strings.Cut(key, ":")
	if !ok {
		return 0, Month{}, &keyError{Key: key}
	}
	guildID, err := strconv.ParseUint(g, 10, 64)
	if err != nil || guildID == 0 {
		return 0, Month{}, &keyError{Key: key}
	}
	month, err := ParseMonth(m)
	if err != nil {
		return 0, Month{}, &keyError{Key: key}
	}
	return guildID, month, nil
}

// Entry is one named pair in a category's top list.
type Entry struct {
	Place   int
	PairID  int64
	Members [2]uint64
	Points  int
	// Hidden: a member of a frozen entry has since withdrawn consent to the
	// category, so the card keeps the place and the points but no names.
	Hidden bool
}

// Board is one category on a card.
type Board struct {
	Category string
	NameKey  string
	Order    int
	// Participation counts every pair with points, named or not: a number
	// names nobody.
	Participation int
	Top           []Entry
}
