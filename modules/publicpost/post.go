package publicpost

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/together-bot/together/core/refusal"
	"github.com/together-bot/together/core/usertext"
)

// Status is a post's place in its life cycle.
type Status string

// Statuses; sent, failed and cancelled are final until an operator requeues.
const (
	StatusPending    Status = "pending"
	StatusProcessing Status = "processing"
	StatusSent       Status = "sent"
	StatusFailed     Status = "failed"
	StatusCancelled  Status = "cancelled"
)

// AllStatuses in life-cycle order.
var AllStatuses = []Status{StatusPending, StatusProcessing, StatusSent, StatusFailed, StatusCancelled}

// ParseStatus accepts one of AllStatuses.
func ParseStatus(s string) (Status, error) {
	for _, st := range AllStatuses {
		if string(st) == strings.TrimSpace(strings.ToLower(s)) {
			return st, nil
		}
	}
	return "", fmt.Errorf("%w %q (want one of pending, processing, sent, failed, cancelled)", ErrBadStatus, s)
}

// MaxContent is Discord's limit for a message's content.
const MaxContent = 2000

// Payload is what gets posted. It is stored as JSON so fields can be added
// without a migration; unknown fields are ignored by older binaries.
type Payload struct {
	Content string `json:"content"`
	// MentionUsers may be pinged by the content; everything else (roles,
	// @everyone, other users) is rendered without a ping.
	MentionUsers []uint64 `json:"mention_users,omitempty"`
}

// Validate checks what Discord would refuse, and content with nothing
// visible (core/usertext's rule), so a bad post is refused when it is created
// rather than failing later. The length is the content as sent, counted as
// Discord counts it.
func (p Payload) Validate() error {
	switch n := usertext.Len(p.Content); {
	case !usertext.Visible(p.Content):
		return fmt.Errorf("%w: no visible content", ErrBadPayload)
	case n > MaxContent:
		return fmt.Errorf("%w: content is %d characters, Discord allows %d", ErrBadPayload, n, MaxContent)
	}
	return nil
}

// NewPost is a request to publish, built by the producer.
type NewPost struct {
	GuildID   uint64
	ChannelID uint64
	// Source names the producing module (default "publicpost").
	Source  string
	Payload Payload
	// At is when to publish; zero means now.
	At time.Time
	// IdempotencyKey makes Create safe to repeat: a second call with the same
	// key returns the existing post. Namespace it by module, e.g.
	// "checkin:share:<id>" (at most 200 characters).
	IdempotencyKey string
	// CreatedBy is the staff member for /post schedule, 0 for modules.
	CreatedBy uint64
}

func (n NewPost) validate() error {
	switch {
	case n.GuildID == 0 || n.ChannelID == 0:
		return fmt.Errorf("%w: guild and channel are required", ErrBadPost)
	case n.IdempotencyKey == "" || len(n.IdempotencyKey) > 200:
		return fmt.Errorf("%w: idempotency key must be 1..200 bytes", ErrBadPost)
	}
	return n.Payload.Validate()
}

// Post is one row of publicpost_posts.
type Post struct {
	ID                 int64
	GuildID            uint64
	ChannelID          uint64
	Source             string
	Payload            Payload
	ScheduledFor       time.Time
	Status             Status
	IdempotencyKey     string
	Attempts           int
	NextAttemptAt      time.Time
	LeaseUntil         *time.Time
	FirstAttemptAt     *time.Time
	LastAttemptAt      *time.Time
	SentAt             *time.Time
	PublishedMessageID uint64
	LastError          string
	CreatedBy          uint64
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

func decodePayload(raw []byte) (Payload, error) {
	var p Payload
	if err := json.Unmarshal(raw, &p); err != nil {
		return Payload{}, fmt.Errorf("%w: %v", ErrBadPayload, err)
	}
	return p, nil
}

// Errors for the modules and operators that create and list posts; callers
// test them with errors.Is.
var (
	ErrBadPost    = errors.New("invalid post")
	ErrBadPayload = errors.New("invalid post payload")
	ErrBadStatus  = errors.New("unknown post status")
)

// Refusals /post answers with; both carry the post's id.
var (
	// ErrNotFound: no post with that id in that guild.
	ErrNotFound = refusal.New("publicpost.error.not_found")
	// ErrNotCancellable: only pending posts can be cancelled. /post adds
	// the post's status in the member's language.
	ErrNotCancellable = refusal.New("publicpost.error.not_cancellable")
)
