package pairhome

import (
	"errors"
	"fmt"

	"github.com/together-bot/together/modules/pairhome/pairhomeapi"
)

// Errors callers branch on; commands map them to localized refusals.
var (
	// ErrNotFound is pairhomeapi.ErrNoPair, so other modules branch on it
	// without importing this package.
	ErrNotFound   = pairhomeapi.ErrNoPair
	ErrSelfPair   = errors.New("pairhome: a member cannot be paired with themselves")
	ErrNoCategory = errors.New("pairhome: the pair category is not configured")
	ErrNotMember  = errors.New("pairhome: the user is not a member of this pair")
	ErrNotActive  = errors.New("pairhome: the pair is no longer active")
)

// AlreadyPairedError: a member already belongs to another active pair.
type AlreadyPairedError struct {
	UserID uint64
	PairID int64
}

func (e *AlreadyPairedError) Error() string {
	return fmt.Sprintf("pairhome: user %d is already in active pair %d", e.UserID, e.PairID)
}
