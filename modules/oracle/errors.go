package oracle

import (
	"errors"
	"fmt"
	"strings"

	"github.com/together-bot/together/core/refusal"
)

// Refusals: what a member (or the operator CLI) is told; handlers return
// them as they are and the router localizes them. Oracle turned off in the
// guild and no oracle channel are guild.ErrModuleOff and guild.ErrNoChannel.
var (
	ErrNotPublished = refusal.New("oracle.error.not_published")
	// ErrStaleCard: the card belongs to another week.
	ErrStaleCard   = refusal.New("oracle.error.stale_card")
	ErrNoClaim     = refusal.New("oracle.error.no_claim")
	ErrAlreadySent = refusal.New("oracle.error.already_sent")
	// ErrNoRoom: the member's pair has no room yet (a member in no pair
	// is pairhomeapi.ErrNoPair).
	ErrNoRoom     = refusal.New("oracle.error.no_room")
	ErrNoPairhome = refusal.New("oracle.error.no_pairhome")
	// ErrBadChoice: an unknown tone or context in a custom id.
	ErrBadChoice = refusal.New("core.error.bad_id")
)

// ErrSendFailed: Discord refused a copy. It is not a refusal: the handler
// tells the member which copy failed (DM or pair room).
var ErrSendFailed = errors.New("oracle: Discord refused the message")

// GuildError is one guild the schedule could not publish.
type GuildError struct {
	GuildID uint64
	Err     error
}

// GuildErrors lists the guilds a PublishDue run could not publish.
type GuildErrors []GuildError

func (e GuildErrors) Error() string {
	parts := make([]string, len(e))
	for i, g := range e {
		parts[i] = fmt.Sprintf("guild %d: %v", g.GuildID, g.Err)
	}
	return fmt.Sprintf("oracle: %d guild(s) not published: %s", len(e), strings.Join(parts, "; "))
}

func (e GuildErrors) Unwrap() []error {
	out := make([]error, len(e))
	for i, g := range e {
		out[i] = g.Err
	}
	return out
}
