package hall

import (
	"errors"
	"fmt"
)

// Errors callers branch on.
var (
	// ErrBadCategory: a contribution the card cannot show (NewService refuses it).
	ErrBadCategory = errors.New("hall: invalid category")
	// ErrUnknownCategory: /hall named a category no deployed module provides.
	ErrUnknownCategory = errors.New("hall: unknown category")
	// ErrNoCard: no card for that guild and month.
	ErrNoCard = errors.New("hall: no such card")
)

// KeyError: a projection key that is not "<guild>:<YYYY-MM>".
type KeyError struct{ Key string }

func (e *KeyError) Error() string {
	return fmt.Sprintf("hall: card key %q is not <guild>:<YYYY-MM>", e.Key)
}
