package raid

import (
	"fmt"
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

// idArg parses the i-th argument of a custom id as an int64 id.
func idArg(id customid.ID, i int) (int64, error) {
	v, err := strconv.ParseInt(id.Arg(i), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("raid: custom id %s arg %d: %w", id.Action, i, err)
	}
	return v, nil
}
