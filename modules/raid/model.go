package raid

import (
	"errors"
	"fmt"
	"time"
)

// Name is the module's id (custom ids, queue, catalogs, tables).
const Name = "raid"

// Defaults of a raid (the original's constants).
const (
	DefaultGoal         = 500
	DefaultOffersPerDay = 3
	DefaultDailyCap     = 60
	MaxGoal             = 1_000_000
	// boardTop is how many pairs the dashboard lists.
	boardTop = 5
)

// Raid statuses. A completed raid (goal reached) is still active: it takes
// claims until its week ends.
const (
	StatusActive = "active"
	StatusEnded  = "ended"
)

// Raid is one row of raid_raids.
type Raid struct {
	ID           int64
	GuildID      uint64
	ChannelID    uint64
	Timezone     string
	WeekStart    Day
	EndsAt       time.Time
	Goal         int
	Progress     int
	DailyCap     int
	OffersPerDay int
	Status       string
	CompletedAt  *time.Time
	Auto         bool
	EndedAt      *time.Time
}

// Completed reports a raid that reached its goal.
func (r Raid) Completed() bool { return r.CompletedAt != nil }

// Open reports a raid that still takes claims and confirms at now.
func (r Raid) Open(now time.Time) bool { return r.Status == StatusActive && now.Before(r.EndsAt) }

// Location is the raid's zone (UTC if the stored name is unknown).
func (r Raid) Location() *time.Location {
	if loc, err := time.LoadLocation(r.Timezone); err == nil {
		return loc
	}
	return time.UTC
}

// Today is the raid's local day at now.
func (r Raid) Today(now time.Time) Day { return DayAt(now, r.Location()) }

// Pair is what raid needs of a pairhome pair.
type Pair struct {
	ID        int64
	GuildID   uint64
	Members   [2]uint64
	ChannelID uint64 // 0 while the room does not exist
}

// Has reports membership.
func (p Pair) Has(userID uint64) bool { return p.Members[0] == userID || p.Members[1] == userID }

// Claim is one row of raid_claims.
type Claim struct {
	ID           int64
	RaidID       int64
	GuildID      uint64
	PairID       int64
	Day          Day
	QuestKey     string
	Points       int
	RequestedBy  uint64
	Status       string
	Applied      int
	ConfirmedBy  uint64
	PromptStatus string
}

// Claim statuses.
const (
	ClaimPending   = "pending"
	ClaimConfirmed = "confirmed"
)

// Errors. Handlers map them to localized refusals (refuse.go).
var (
	ErrRaidActive       = errors.New("raid: a raid is already active in this guild")
	ErrNoRaid           = errors.New("raid: no active raid")
	ErrNoChannel        = errors.New("raid: no raid channel configured")
	ErrNotInPair        = errors.New("raid: the user is not in an active pair")
	ErrNotOffered       = errors.New("raid: the quest is not offered today")
	ErrAlreadyClaimed   = errors.New("raid: the pair already claimed this quest today")
	ErrNoClaim          = errors.New("raid: no such claim")
	ErrNotPairMember    = errors.New("raid: only the pair's members can confirm")
	ErrSelfConfirm      = errors.New("raid: the requester cannot confirm their own claim")
	ErrAlreadyConfirmed = errors.New("raid: the claim is already confirmed")
	ErrNotToday         = errors.New("raid: the claim belongs to another day")
	ErrRaidEnded        = errors.New("raid: the raid has ended")
	ErrNoQuests         = errors.New("raid: the quest library is empty")
	ErrBadInput         = errors.New("raid: invalid input")
)

// InputError says which input is out of range.
type InputError struct {
	Field    string
	Min, Max int
}

func (e *InputError) Error() string {
	return fmt.Sprintf("raid: %s must be %d..%d", e.Field, e.Min, e.Max)
}

func (e *InputError) Unwrap() error { return ErrBadInput }
