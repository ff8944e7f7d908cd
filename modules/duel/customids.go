package duel

import (
	"fmt"
	"strconv"

	"github.com/together-bot/together/core/customid"
)

// Custom id actions. Ids carry only short numeric ids (never prompt or
// answer text): the original overflowed Discord's 100 characters with three
// UUIDs. TestCustomIDsFit builds each with the longest values.
const (
	actSubmit = "submit" // button: round, pair → opens the answer form
	actAnswer = "answer" // modal: round, pair
	actVote   = "vote"   // select: round, page
	actBallot = "ballot" // button: round, page → private ballot page
	actRules  = "rules"  // board button: duel
	actHow    = "how"    // board button: duel
	actRoom   = "room"   // board button: duel
	actMine   = "mine"   // board button: duel
)

// answerInputID is the text input inside the answer modal (not routed).
const answerInputID = "answer"

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

func submitID(roundID, pairID int64) (string, error) {
	return customid.New(Name, actSubmit, itoa(roundID), itoa(pairID))
}

func answerID(roundID, pairID int64) (string, error) {
	return customid.New(Name, actAnswer, itoa(roundID), itoa(pairID))
}

func voteID(roundID int64, page int) (string, error) {
	return customid.New(Name, actVote, itoa(roundID), strconv.Itoa(page))
}

func ballotID(roundID int64, page int) (string, error) {
	return customid.New(Name, actBallot, itoa(roundID), strconv.Itoa(page))
}

func boardButtonID(action string, duelID int64) (string, error) {
	return customid.New(Name, action, itoa(duelID))
}

// idArg parses the i-th argument of a custom id as an int64 id.
func idArg(id customid.ID, i int) (int64, error) {
	v, err := strconv.ParseInt(id.Arg(i), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("duel: custom id %s arg %d: %w", id.Action, i, err)
	}
	return v, nil
}
