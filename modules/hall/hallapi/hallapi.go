// Package hallapi is everything other modules may know about the hall of
// fame: the category extension point and the refresh request. It holds no
// store or service code.
package hallapi

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/together-bot/together/core/module"
)

// Name is hall's module name.
const Name = "hall"

// Category is one ranking on the monthly card, owned by another module. It
// is shown only while that module is deployed and on in the guild.
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

// Categories is the card's extension point:
//
//	module.Contribute(hallapi.Categories, func(s *Service) []hallapi.Category { ... })
var Categories = module.NewPoint[Category]("hall categories")

// Refresher redraws a guild's live card once tx commits. A contributor calls
// it in the transaction that changes its points. It is provided only while
// hall runs: take it as an optional dependency, and a nil Refresher is a
// no-op (see Request).
type Refresher interface {
	RequestRefresh(ctx context.Context, tx bun.Tx, guildID uint64) error
}

// Request asks r to refresh, doing nothing when hall is not deployed (r nil).
func Request(ctx context.Context, r Refresher, tx bun.Tx, guildID uint64) error {
	if r == nil {
		return nil
	}
	return r.RequestRefresh(ctx, tx, guildID)
}
