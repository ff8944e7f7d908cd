package raid

import (
	"time"

	"github.com/together-bot/together/core/refusal"
)

// Name is the module's id (custom ids, queue, catalogs, tables).
const Name = "raid"

// Defaults of a raid (the original's constants).
const (
	defaultGoal         = 500
	defaultOffersPerDay = 3
	defaultDailyCap     = 60
	maxGoal             = 1_000_000
	// boardTop is how many pairs the dashboard lists.
	boardTop = 5
)

// Raid statuses. A completed raid (goal reached) is still active: it takes
// claims until its week ends.
const (
	statusActive = "active"
	statusEnded  = "ended"
)

// raid is one row of raid_raids.
type raid struct {
	ID           int64
	GuildID      uint64
	ChannelID    uint64
	Timezone     string
	WeekStart    localDay
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
func (r raid) Completed() bool { return r.CompletedAt != nil }

// Open reports a raid that still takes claims and confirms at now.
func (r raid) Open(now time.Time) bool { return r.Status == statusActive && now.Before(r.EndsAt) }

// Location is the raid's zone (UTC if the stored name is unknown).
func (r raid) Location() *time.Location {
	if loc, err := time.LoadLocation(r.Timezone); err == nil {
		return loc
	}
	return time.UTC
}

// Today is the raid's local day at now.
func (r raid) Today(now time.Time) localDay { return dayAt(now, r.Location()) }

// claim is one row of raid_claims.
type claim struct {
	ID           int64
	RaidID       int64
	GuildID      uint64
	PairID       int64
	Day          localDay
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
	claimPending   = "pending"
	claimConfirmed = "confirmed"
)

// Refusals: the service returns them as they are and the router shows
// their text in the member's language. No raid channel is
// guild.ErrNoChannel; a member in no pair, or confirming for another pair,
// pairhomeapi.ErrNoPair or pairhomeapi.ErrNotPairMember.
var (
	errRaidActive       = refusal.New("raid.error.raid_active")
	errNoRaid           = refusal.New("raid.error.no_raid")
	errNotOffered       = refusal.New("raid.error.not_offered")
	errAlreadyClaimed   = refusal.New("raid.error.already_claimed")
	errNoClaim          = refusal.New("raid.error.no_claim")
	errSelfConfirm      = refusal.New("raid.error.self_confirm")
	errAlreadyConfirmed = refusal.New("raid.error.already_confirmed")
	errNotToday         = refusal.New("raid.error.not_today")
	errRaidEnded        = refusal.New("raid.error.raid_ended")
	errNoQuests         = refusal.New("raid.error.no_quests")
	// errBadInput names the input out of range: With("field", …, "min", …, "max", …).
	errBadInput = refusal.New("raid.error.input")
)
