package raid

import (
	"time"

	"github.com/together-bot/together/core/refusal"
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

// Refusals: the service returns them as they are and the router shows
// their text in the member's language.
var (
	ErrRaidActive       = refusal.New("raid.error.raid_active")
	ErrNoRaid           = refusal.New("raid.error.no_raid")
	ErrNoChannel        = refusal.New("raid.error.no_channel")
	ErrNotInPair        = refusal.New("raid.error.not_in_pair")
	ErrNotOffered       = refusal.New("raid.error.not_offered")
	ErrAlreadyClaimed   = refusal.New("raid.error.already_claimed")
	ErrNoClaim          = refusal.New("raid.error.no_claim")
	ErrNotPairMember    = refusal.New("raid.error.not_pair_member")
	ErrSelfConfirm      = refusal.New("raid.error.self_confirm")
	ErrAlreadyConfirmed = refusal.New("raid.error.already_confirmed")
	ErrNotToday         = refusal.New("raid.error.not_today")
	ErrRaidEnded        = refusal.New("raid.error.raid_ended")
	ErrNoQuests         = refusal.New("raid.error.no_quests")
	// ErrBadInput names the input out of range: With("field", …, "min", …, "max", …).
	ErrBadInput = refusal.New("raid.error.input")
)
