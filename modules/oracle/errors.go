package oracle

import (
	"errors"
	"fmt"
	"strings"
)

// Errors the handlers (and the operator CLI) branch on. Each maps to one
// localized refusal in handlers.go.
var (
	ErrModuleOff    = errors.New("oracle: module is turned off in this guild")
	ErrNoChannel    = errors.New("oracle: no oracle channel configured")
	ErrNotPublished = errors.New("oracle: no dashboard published yet")
	ErrStaleCard    = errors.New("oracle: the card belongs to another week")
	ErrNoClaim      = errors.New("oracle: no claim this week")
	ErrAlreadySent  = errors.New("oracle: this copy was already sent")
	ErrNoPair       = errors.New("oracle: the member has no pair room")
	ErrNoPairhome   = errors.New("oracle: pairhome is not available in this guild")
	ErrSendFailed   = errors.New("oracle: Discord refused the message")
	ErrBadChoice    = errors.New("oracle: unknown tone or context")
)

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
