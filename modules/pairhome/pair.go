package pairhome

import (
	"fmt"
	"time"

	"github.com/together-bot/together/modules/pairhome/pairhomeapi"
)

// Status of a pair.
const (
	statusActive   = "active"
	statusArchived = "archived"
)

// Room states (pairhome_pairs.room_state).
const (
	roomPending  = "pending"  // no channel yet: the room job is creating it
	roomReady    = "ready"    // ChannelID is the live room
	roomArchived = "archived" // the room is kept read-only
	roomDeleted  = "deleted"  // there is no room any more
)

// Archive reasons.
const (
	reasonDissolved  = "dissolved"
	reasonMemberLeft = "member_left"
)

// Archive modes (guild setting): what dissolving does to the room.
const (
	archiveReadOnly = "readonly"
	archiveDelete   = "delete"
)

// pairRef is what other modules get for a pair.
type pairRef struct {
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
func (p pairRef) Active() bool { return p.Status == statusActive }

// API is the pair as other modules see it (pairhomeapi.Pair).
func (p pairRef) API() pairhomeapi.Pair {
	return pairhomeapi.Pair{ID: p.ID, GuildID: p.GuildID, Members: p.Members, ChannelID: p.ChannelID,
		Active: p.Active(), CreatedAt: p.CreatedAt}
}

// Has reports whether userID is one of the members.
func (p pairRef) Has(userID uint64) bool { return p.Members[0] == userID || p.Members[1] == userID }

// Partner returns the other member (0 when userID is not a member).
func (p pairRef) Partner(userID uint64) uint64 {
	switch userID {
	case p.Members[0]:
		return p.Members[1]
	case p.Members[1]:
		return p.Members[0]
	}
	return 0
}

// Key is the projection key of the pair's panel.
func (p pairRef) Key() string { return panelKey(p.ID) }

func panelKey(pairID int64) string { return fmt.Sprint(pairID) }

// mention renders a user mention (the panel disables pings).
func mention(id uint64) string { return fmt.Sprintf("<@%d>", id) }
