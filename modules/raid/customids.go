package raid

import (
	"errors"
	"strconv"

	"github.com/together-bot/together/core/customid"
)

// Custom id actions. Ids carry only numeric ids and quest keys (at most
// maxKeyLen characters of [a-z0-9_]); TestCustomIDsFit builds each with the
// longest values.
const (
	actTake    = "take"    // board/section button: raid → today's quests, privately
	actMine    = "mine"    // board button: raid → my contribution
	actRules   = "rules"   // board button: raid
	actClaim   = "claim"   // quests button: raid, quest key
	actConfirm = "confirm" // prompt button: claim
)

// maxKeyLen bounds quest keys (the migration checks it too).
const maxKeyLen = 40

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

func boardButtonID(action string, raidID int64) (string, error) {
	return customid.New(Name, action, itoa(raidID))
}

func claimID(raidID int64, questKey string) (string, error) {
	return customid.New(Name, actClaim, itoa(raidID), questKey)
}

func confirmID(claimID int64) (string, error) {
	return customid.New(Name, actConfirm, itoa(claimID))
}

// The arguments each id carries, declared on its component so the router
// checks them before a handler runs (handlers read them with id.Int64).
var (
	raidArg  = customid.ID64("raid")
	claimArg = customid.ID64("claim")
	// questKeyArg is the schema's rule for quest keys; a well-formed key no
	// raid offers is refused by Claim.
	questKeyArg = customid.Custom("quest", checkQuestKey)
)

// errBadQuestKey is a quest key outside the schema's ^[a-z0-9_]{1,40}$.
var errBadQuestKey = errors.New("quest key must be 1..40 characters of [a-z0-9_]")

func checkQuestKey(s string) error {
	if len(s) == 0 || len(s) > maxKeyLen {
		return errBadQuestKey
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return errBadQuestKey
		}
	}
	return nil
}
