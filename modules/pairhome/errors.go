package pairhome

import (
	"fmt"

	"github.com/together-bot/together/core/refusal"
)

// Refusals the members and staff read; the router localizes them. A member
// in no pair, or a pair id that names none in the guild, is
// pairhomeapi.ErrNoPair; a member acting on another pair,
// pairhomeapi.ErrNotPairMember.
var (
	errSelfPair      = refusal.New("pairhome.error.self_pair")
	errNoCategory    = refusal.New("pairhome.error.no_category")
	errNotActive     = refusal.New("pairhome.error.not_active")
	errAlreadyPaired = refusal.New("pairhome.error.already_paired")

	errBot             = refusal.New("pairhome.error.bot")
	errNotGuildMember  = refusal.New("pairhome.error.not_a_member")
	errMemberNotPaired = refusal.New("pairhome.error.member_not_paired")
)

// alreadyPairedError says which member is taken and by which pair; it is
// errAlreadyPaired naming that member, so a handler returns it as it is.
type alreadyPairedError struct {
	UserID uint64
	PairID int64
}

func (e *alreadyPairedError) Error() string {
	return fmt.Sprintf("pairhome: user %d is already in active pair %d", e.UserID, e.PairID)
}

// Unwrap makes errors.Is(err, errAlreadyPaired) hold and lets the router
// find the refusal with the member's mention.
func (e *alreadyPairedError) Unwrap() error { return errAlreadyPaired.With("user", mention(e.UserID)) }
