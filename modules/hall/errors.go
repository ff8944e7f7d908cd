package hall

import (
	"errors"
	"fmt"

	"github.com/together-bot/together/core/refusal"
)

// ErrUnknownCategory: /hall named a category no deployed module provides.
// It is a refusal: the member reads it.
var ErrUnknownCategory = refusal.New("hall.error.unknown_category")

// Errors for operators and programmers, not members.
var (
	// ErrBadCategory: a contribution the card cannot show (newService refuses it).
	ErrBadCategory = errors.New("hall: invalid category")
	// ErrNoCard: no card for that guild and month.
	ErrNoCard = errors.New("hall: no such card")
)

// keyError: a projection key that is not "<guild>:<YYYY-MM>".
type keyError struct{ Key string }

func (e *keyError) Error() string {
	return fmt.Sprintf("hall: card key %q is not <guild>:<YYYY-MM>", e.Key)
}
