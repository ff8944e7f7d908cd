package duel

import (
	"errors"
	"fmt"
	"time"
)

// Name is the module's id (custom ids, queue, catalogs, tables).
const Name = "duel"

// Phase of a round. Transitions only ever go forward.
type Phase string

// Phases; answering and voting are "open".
const (
	PhaseAnswering Phase = "answering"
	PhaseVoting    Phase = "voting"
	PhaseClosed    Phase = "closed"
	PhaseCancelled Phase = "cancelled"
)

// Open reports a round that still takes answers or votes.
func (p Phase) Open() bool { return p == PhaseAnswering || p == PhaseVoting }

// Limits of the commands and the answer form.
const (
	MinRoundMinutes = 5
	MaxRoundMinutes = 720
	MaxVoteMinutes  = 1440
	DefVoteMinutes  = 10
	MinAnswerLen    = 2
	MaxAnswerLen    = 400
	MaxPromptLen    = 1000
	MaxTitleLen     = 100
	// minVotingAnswers: with fewer answers there is nothing to choose
	// between, so the round closes without a voting phase.
	minVotingAnswers = 2
	// boardTop is how many pairs the scoreboard lists.
	boardTop = 10
)

// Duel is one row of duel_duels.
type Duel struct {
	ID        int64
	GuildID   uint64
	ChannelID uint64
	Title     string
	Status    string
	CreatedAt time.Time
	EndedAt   *time.Time
}

// Round is one row of duel_rounds.
type Round struct {
	ID             int64
	DuelID         int64
	GuildID        uint64
	No             int
	Prompt         string
	Phase          Phase
	VoteMinutes    int
	StartedAt      time.Time
	AnswerDeadline time.Time
	VoteDeadline   *time.Time
	EndedAt        *time.Time
}

// Deadline is when the current phase ends (zero when closed).
func (r Round) Deadline() time.Time {
	switch r.Phase {
	case PhaseAnswering:
		return r.AnswerDeadline
	case PhaseVoting:
		if r.VoteDeadline != nil {
			return *r.VoteDeadline
		}
	}
	return time.Time{}
}

// Pair is what duel needs of a pairhome pair.
type Pair struct {
	ID        int64
	GuildID   uint64
	Members   [2]uint64
	ChannelID uint64 // 0 while the room does not exist
}

// Has reports membership.
func (p Pair) Has(userID uint64) bool { return p.Members[0] == userID || p.Members[1] == userID }

// Errors. Handlers map them to localized refusals (see refusal in handlers.go).
var (
	ErrDuelActive    = errors.New("duel: a duel is already active in this guild")
	ErrNoDuel        = errors.New("duel: no active duel")
	ErrRoundOpen     = errors.New("duel: a round is already open")
	ErrNoRound       = errors.New("duel: no open round")
	ErrNotAnswering  = errors.New("duel: the round does not take answers")
	ErrNotVoting     = errors.New("duel: the round is not voting")
	ErrNotInPair     = errors.New("duel: the user is not in an active pair")
	ErrNotPairMember = errors.New("duel: the user is not a member of this pair")
	ErrOwnPair       = errors.New("duel: members cannot vote for their own pair")
	ErrNoSuchAnswer  = errors.New("duel: no such answer")
	ErrAnswerRemoved = errors.New("duel: the answer was removed by a moderator")
	ErrBadInput      = errors.New("duel: invalid input")
)

// LateError refuses an answer or vote after its phase's deadline.
type LateError struct {
	Deadline time.Time
}

func (e *LateError) Error() string {
	return fmt.Sprintf("duel: too late (deadline was %s)", e.Deadline.UTC().Format(time.RFC3339))
}

// InputError says which input is out of range.
type InputError struct {
	Field    string
	Min, Max int
}

func (e *InputError) Error() string {
	return fmt.Sprintf("duel: %s must be %d..%d", e.Field, e.Min, e.Max)
}

func (e *InputError) Unwrap() error { return ErrBadInput }
