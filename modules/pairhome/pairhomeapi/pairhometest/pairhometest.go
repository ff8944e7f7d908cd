// Package pairhometest is an in-memory pairhomeapi.Pairs for other modules'
// tests, so none of them copies a fake of its own.
package pairhometest

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/uptrace/bun"

	"github.com/together-bot/together/modules/pairhome/pairhomeapi"
)

// Pairs is a pairhomeapi.Pairs over a slice. The zero value is ready.
type Pairs struct {
	mu     sync.Mutex
	pairs  []pairhomeapi.Pair
	nextID int64
	panels map[int64]int
	// requested is every RequestPanel in order.
	requested []int64
}

var _ pairhomeapi.Pairs = (*Pairs)(nil)

// Add stores an active pair, giving it the next id when ID is 0, and returns it.
func (f *Pairs) Add(p pairhomeapi.Pair) pairhomeapi.Pair {
	f.mu.Lock()
	defer f.mu.Unlock()
	if p.ID == 0 {
		f.nextID++
		p.ID = f.nextID
	}
	f.nextID = max(f.nextID, p.ID)
	if p.Members[0] > p.Members[1] {
		p.Members[0], p.Members[1] = p.Members[1], p.Members[0]
	}
	p.Active = true
	f.pairs = append(f.pairs, p)
	return p
}

// Dissolve marks a pair inactive.
func (f *Pairs) Dissolve(pairID int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.pairs {
		if f.pairs[i].ID == pairID {
			f.pairs[i].Active = false
		}
	}
}

// Panels reports how many panel redraws were requested for a pair.
func (f *Pairs) Panels(pairID int64) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.panels[pairID]
}

// ActivePairs implements pairhomeapi.Pairs.
func (f *Pairs) ActivePairs(_ context.Context, _ bun.IDB, guildID uint64) ([]pairhomeapi.Pair, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []pairhomeapi.Pair
	for _, p := range f.pairs {
		if p.GuildID == guildID && p.Active {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b pairhomeapi.Pair) int { return int(a.ID - b.ID) })
	return out, nil
}

// PairOf implements pairhomeapi.Pairs.
func (f *Pairs) PairOf(_ context.Context, _ bun.IDB, guildID, userID uint64) (pairhomeapi.Pair, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, p := range f.pairs {
		if p.GuildID == guildID && p.Active && p.Has(userID) {
			return p, nil
		}
	}
	return pairhomeapi.Pair{}, pairhomeapi.ErrNoPair
}

// Pair implements pairhomeapi.Pairs.
func (f *Pairs) Pair(_ context.Context, _ bun.IDB, pairID int64) (pairhomeapi.Pair, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, p := range f.pairs {
		if p.ID == pairID {
			return p, nil
		}
	}
	return pairhomeapi.Pair{}, pairhomeapi.ErrNoPair
}

// RequestPanel implements pairhomeapi.Pairs by counting the request.
func (f *Pairs) RequestPanel(_ context.Context, _ bun.Tx, pairID int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.panels == nil {
		f.panels = map[int64]int{}
	}
	f.panels[pairID]++
	f.requested = append(f.requested, pairID)
	return nil
}

// Requested lists every panel redraw asked for, in order.
func (f *Pairs) Requested() []int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.requested)
}

// RequestPanels implements pairhomeapi.Pairs by counting a request for each
// active pair of the guild.
func (f *Pairs) RequestPanels(ctx context.Context, tx bun.Tx, guildID uint64) error {
	pairs, _ := f.ActivePairs(ctx, nil, guildID)
	for _, p := range pairs {
		if err := f.RequestPanel(ctx, tx, p.ID); err != nil {
			return err
		}
	}
	return nil
}

// AddNumbered adds pair n of a guild, members 1000n+1 and 1000n+2, with its
// room in channel: distinct, predictable ids for tests with several pairs.
func (f *Pairs) AddNumbered(guildID uint64, n int64, channel uint64) pairhomeapi.Pair {
	return f.Add(pairhomeapi.Pair{ID: n, GuildID: guildID, Members: [2]uint64{uint64(1000*n + 1), uint64(1000*n + 2)},
		ChannelID: channel})
}

// Viewer renders a module's Pair Home section (its Section.Render) for a
// pair and locale, failing the test if rendering fails.
func Viewer(t testing.TB, render func(context.Context, bun.IDB, pairhomeapi.Pair, string) (pairhomeapi.SectionView, error),
	db bun.IDB) func(pairhomeapi.Pair, string) pairhomeapi.SectionView {
	return func(p pairhomeapi.Pair, locale string) pairhomeapi.SectionView {
		t.Helper()
		v, err := render(context.Background(), db, p, locale)
		if err != nil {
			t.Fatalf("render section of pair %d (%s): %v", p.ID, locale, err)
		}
		return v
	}
}

// RequireHidden fails unless v shows nothing: no text and no buttons, so
// Pair Home leaves the section out (what a module shows before it has
// anything for the pair).
func RequireHidden(t testing.TB, v pairhomeapi.SectionView) {
	t.Helper()
	if v.Text != "" || len(v.Buttons) != 0 {
		t.Fatalf("section shown while there is nothing to show: %+v", v)
	}
}
