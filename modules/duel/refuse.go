package duel

import (
	"errors"

	"github.com/together-bot/together/core/refusal"
)

// refusals maps the service's errors to the user's language.
var refusals = []struct {
	err error
	key string
}{
	{ErrDuelActive, "duel.error.duel_active"},
	{ErrNoDuel, "duel.error.no_duel"},
	{ErrRoundOpen, "duel.error.round_open"},
	{ErrNoRound, "duel.error.no_round"},
	{ErrNotAnswering, "duel.error.not_answering"},
	{ErrNotVoting, "duel.error.not_voting"},
	{ErrNotInPair, "duel.error.not_in_pair"},
	{ErrNotPairMember, "duel.error.not_pair_member"},
	{ErrOwnPair, "duel.error.own_pair"},
	{ErrNoSuchAnswer, "duel.error.no_answer"},
	{ErrAnswerRemoved, "duel.error.answer_removed"},
}

// refusal turns a domain error into an refusal.Error; anything else
// (database, Discord) passes through for the router's generic handling.
func asRefusal(err error) error {
	if err == nil {
		return nil
	}
	if at, ok := isLate(err); ok {
		return refusal.New("duel.error.late", "deadline", timestamp(at, "f"), "relative", timestamp(at, "R"))
	}
	var ie *InputError
	if errors.As(err, &ie) {
		return refusal.New("duel.error.input", "field", ie.Field, "min", ie.Min, "max", ie.Max)
	}
	for _, r := range refusals {
		if errors.Is(err, r.err) {
			return refusal.New(r.key)
		}
	}
	return err
}
