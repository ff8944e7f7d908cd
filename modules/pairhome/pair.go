package pairhome

import (
	"fmt"

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

// pairRef is a pair as pairhome itself sees it: what other modules see,
// plus the room's state.
type pairRef struct {
	pairhomeapi.Pair
	RoomState string
}

// Key is the projection key of the pair's panel.
func (p pairRef) Key() string { return panelKey(p.ID) }

func panelKey(pairID int64) string { return fmt.Sprint(pairID) }

// mention renders a user mention (the panel disables pings).
func mention(id uint64) string { return fmt.Sprintf("<@%d>", id) }
