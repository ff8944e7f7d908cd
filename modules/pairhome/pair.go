package pairhome

import (
	"fmt"
	"time"

	"github.com/together-bot/together/modules/pairhome/pairhomeapi"
)

// Status of a pair.
const (
	StatusActive   = "active"
	StatusArchived = "archived"
)

// Room states (pairhome_pairs.room_state).
const (
	RoomPending  = "pending"  // no channel yet: the room job is creating it
	RoomReady    = "ready"    // ChannelID is the live room
	RoomArchived = "archived" // the room is kept read-only
	RoomDeleted  = "deleted"  // there is no room any more
)

// Archive reasons.
const (
	ReasonDissolved  = "dissolved"
	ReasonMemberLeft = "member_left"
)

// Archive modes (guild setting): what dissolving does to the room.
const (
	ArchiveReadOnly = "readonly"
	ArchiveDelete   = "delete"
)

// PairRef is what other modules get for a pair.
type PairRef struct {
	ID      int64
	GuildID uint64
	// Members ordered by id.
	Members [2]uint64
	// ChannelID is 0 while the room is pending or after it was deleted.
	ChannelID uint64
	Status    string
	RoomState string
	CreatedAt time.Time
}

// Active reports a pair that counts for the guild's loops.
func (p PairRef) Active() bool { return p.Status == StatusActive }

// API is the pair as other modules see it (pairhomeapi.Pair).
func (p PairRef) API() pairhomeapi.Pair {
	return pairhomeapi.Pair{ID: p.ID, GuildID: p.GuildID, Members: p.Members, ChannelID: p.ChannelID,
		Active: p.Active(), CreatedAt: p.CreatedAt}
}

// Has reports whether userID is one of the members.
func (p PairRef) Has(userID uint64) bool { return p.Members[0] == userID || p.Members[1] == userID }

// Partner returns the other member (0 when userID is not a member).
func (p PairRef) Partner(userID uint64) uint64 {
	switch userID {
	case p.Members[0]:
		return p.Members[1]
	case p.Members[1]:
		return p.Members[0]
	}
	return 0
}

// Key is the projection key of the pair's panel.
func (p PairRef) Key() string { return panelKey(p.ID) }

func panelKey(pairID int64) string { return fmt.Sprint(pairID) }

// mention renders a user mention (the panel disables pings).
func mention(id uint64) string { return fmt.Sprintf("<@%d>", id) }
