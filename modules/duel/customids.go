package duel

import (
	"math"
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

// The arguments each id carries, declared on its component or modal so the
// router checks them before a handler runs (handlers read them with
// id.Int64).
var (
	roundArg = customid.ID64("round")
	pairArg  = customid.ID64("pair")
	duelArg  = customid.ID64("duel")
	// pageArg: ballotPage clamps to the round's real page count; the bound
	// only keeps the number sane.
	pageArg = customid.Int("page", 0, maxBallotPage)
	// labelValue is a vote select's value: an answer's anonymous number
	// (an int column); a number no answer has is refused by vote.
	labelValue = customid.Int("label", 1, math.MaxInt32)
)

// maxBallotPage is far beyond any round (ballotPageSize answers a page).
const maxBallotPage = 10000
