package raid

import (
	"errors"

	"github.com/together-bot/together/core/refusal"
)

// refusals maps the service's errors to the user's language.
var refusals = []struct {
	err error
	key string
}{
	{ErrRaidActive, "raid.error.raid_active"},
	{ErrNoRaid, "raid.error.no_raid"},
	{ErrNoChannel, "raid.error.no_channel"},
	{ErrNotInPair, "raid.error.not_in_pair"},
	{ErrNotOffered, "raid.error.not_offered"},
	{ErrAlreadyClaimed, "raid.error.already_claimed"},
	{ErrNoClaim, "raid.error.no_claim"},
	{ErrNotPairMember, "raid.error.not_pair_member"},
	{ErrSelfConfirm, "raid.error.self_confirm"},
	{ErrAlreadyConfirmed, "raid.error.already_confirmed"},
	{ErrNotToday, "raid.error.not_today"},
	{ErrRaidEnded, "raid.error.raid_ended"},
	{ErrNoQuests, "raid.error.no_quests"},
}

// refusal turns a domain error into an refusal.Error; anything else
// (database, Discord) passes through for the router's generic handling.
func asRefusal(err error) error {
	if err == nil {
		return nil
	}
	var ie *InputError
	if errors.As(err, &ie) {
		return refusal.New("raid.error.input", "field", ie.Field, "min", ie.Min, "max", ie.Max)
	}
	for _, r := range refusals {
		if errors.Is(err, r.err) {
			return refusal.New(r.key)
		}
	}
	return err
}
