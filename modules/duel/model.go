package duel

import (
	"time"

	"github.com/together-bot/together/core/refusal"
	"github.com/together-bot/together/core/usertext"
)

// Name is the module's id (custom ids, queue, catalogs, tables).
const Name = "duel"

// roundPhase is where a round stands. Transitions only ever go forward.
type roundPhase string

// Phases; answering and voting are "open".
const (
	phaseAnswering roundPhase = "answering"
	phaseVoting    roundPhase = "voting"
	phaseClosed    roundPhase = "closed"
	phaseCancelled roundPhase = "cancelled"
)

// Open reports a round that still takes answers or votes.
func (p roundPhase) Open() bool { return p == phaseAnswering || p == phaseVoting }

// Limits of the commands and the answer form.
const (
	minRoundMinutes = 5
	maxRoundMinutes = 720
	maxVoteMinutes  = 1440
	defVoteMinutes  = 10
	minAnswerLen    = 2
	maxAnswerLen    = 400
	maxPromptLen    = 1000
	maxTitleLen     = 100
	// minVotingAnswers: with fewer answers there is nothing to choose
	// between, so the round closes without a voting phase.
	minVotingAnswers = 2
	// boardTop is how many pairs the scoreboard lists.
	boardTop = 10
)

// The text staff and members type, under the one rule of core/usertext.
var (
	answerText = usertext.Field{Name: "answer", Min: minAnswerLen, Max: maxAnswerLen}
	promptText = usertext.Field{Name: "prompt", Min: 1, Max: maxPromptLen}
	titleText  = usertext.Field{Name: "title", Min: 0, Max: maxTitleLen}
)

// duel is one row of duel_duels.
type duel struct {
	ID        int64
	GuildID   uint64
	ChannelID uint64
	Title     string
	Status    string
	CreatedAt time.Time
	EndedAt   *time.Time
}

// round is one row of duel_rounds.
type round struct {
	ID             int64
	DuelID         int64
	GuildID        uint64
	No             int
	Prompt         string
	Phase          roundPhase
	VoteMinutes    int
	StartedAt      time.Time
	AnswerDeadline time.Time
	VoteDeadline   *time.Time
	EndedAt        *time.Time
}

// Deadline is when the current phase ends (zero when closed).
func (r round) Deadline() time.Time {
	switch r.Phase {
	case phaseAnswering:
		return r.AnswerDeadline
	case phaseVoting:
		if r.VoteDeadline != nil {
			return *r.VoteDeadline
		}
	}
	return time.Time{}
}

// Refusals: domain errors the user reads. Handlers return them as they are
// and the interaction router localizes them; compare with errors.Is. A
// member in no pair, or acting for another pair, is pairhomeapi.ErrNoPair
// or pairhomeapi.ErrNotPairMember.
var (
	ErrDuelActive    = refusal.New("duel.error.duel_active")
	ErrNoDuel        = refusal.New("duel.error.no_duel")
	ErrRoundOpen     = refusal.New("duel.error.round_open")
	ErrNoRound       = refusal.New("duel.error.no_round")
	ErrNotAnswering  = refusal.New("duel.error.not_answering")
	ErrNotVoting     = refusal.New("duel.error.not_voting")
	ErrOwnPair       = refusal.New("duel.error.own_pair")
	ErrNoSuchAnswer  = refusal.New("duel.error.no_answer")
	ErrAnswerRemoved = refusal.New("duel.error.answer_removed")
	ErrRemoveTarget  = refusal.New("duel.error.remove_target")
	// ErrAnswersClosed: the open round is already voting (carries "no").
	ErrAnswersClosed = refusal.New("duel.error.answers_closed")
	// ErrLate refuses an answer or vote after its phase's deadline; see late.
	ErrLate = refusal.New("duel.error.late")
	// ErrInput says which input is out of range; see badInput.
	ErrInput = refusal.New("duel.error.input")
)

// late is ErrLate naming the deadline that passed.
func late(deadline time.Time) error {
	return ErrLate.With("deadline", timestamp(deadline, "f"), "relative", timestamp(deadline, "R"))
}

// badInput is ErrInput naming the field and its allowed range.
func badInput(field string, minV, maxV int) error {
	return ErrInput.With("field", field, "min", minV, "max", maxV)
}
