package duel

import (
	"math"
	"testing"

	"github.com/together-bot/together/core/customid"
	"github.com/together-bot/together/core/customid/customidtest"
)

// TestCustomIDsFit builds every custom id the module emits with the longest
// possible values: ids are bigints (20 characters at worst); the original
// bot's UUID-based ids overflowed Discord's 100 characters.
func TestCustomIDsFit(t *testing.T) {
	t.Parallel()
	worst := []int64{math.MinInt64, math.MaxInt64}
	for _, v := range worst {
		for action, build := range builders(v, math.MinInt) {
			s := customidtest.RequireFitsFunc(t, build)
			id, err := customid.Parse(s)
			if err != nil || id.Module != Name || id.Action != action || id.Arg(0) != itoa(v) {
				t.Fatalf("%s: %q parsed as %+v (%v)", action, s, id, err)
			}
		}
	}
	// Room for even worst-case snowflakes and UUIDs in every two-argument id.
	for _, action := range []string{actSubmit, actAnswer, actVote, actBallot} {
		customidtest.RequireFits(t, Name, action, customidtest.Snowflake, customidtest.Snowflake)
		customidtest.RequireFits(t, Name, action, customidtest.UUID, customidtest.UUID)
	}
	for _, action := range []string{actRules, actHow, actRoom, actMine} {
		customidtest.RequireFits(t, Name, action, customidtest.UUID)
	}
}

func builders(v int64, page int) map[string]func() (string, error) {
	return map[string]func() (string, error){
		actSubmit: func() (string, error) { return submitID(v, v) },
		actAnswer: func() (string, error) { return answerID(v, v) },
		actVote:   func() (string, error) { return voteID(v, page) },
		actBallot: func() (string, error) { return ballotID(v, page) },
		actRules:  func() (string, error) { return boardButtonID(actRules, v) },
		actHow:    func() (string, error) { return boardButtonID(actHow, v) },
		actRoom:   func() (string, error) { return boardButtonID(actRoom, v) },
		actMine:   func() (string, error) { return boardButtonID(actMine, v) },
	}
}

// TestCustomIDsMatchDeclarations: every id the module builds from real
// values passes the arguments its component or modal declares, so the
// router never refuses the module's own buttons.
func TestCustomIDsMatchDeclarations(t *testing.T) {
	t.Parallel()
	h := newHandlers(&Service{})
	declared := map[string][]customid.Arg{}
	for _, c := range h.components() {
		declared[c.Action] = c.Args
	}
	for _, m := range h.modals() {
		declared[m.Action] = m.Args
	}
	for _, v := range []int64{1, math.MaxInt64} {
		for _, page := range []int{0, maxBallotPage} {
			for action, build := range builders(v, page) {
				s, err := build()
				if err != nil {
					t.Fatal(err)
				}
				id, _ := customid.Parse(s)
				if err := customid.CheckArgs(id, declared[action]); err != nil {
					t.Fatalf("%s: own id %q refused: %v", action, s, err)
				}
				if id.Int64(0) != v {
					t.Fatalf("%s: first arg %d, want %d", action, id.Int64(0), v)
				}
			}
		}
	}
}

func TestEveryHandledActionIsRouted(t *testing.T) {
	t.Parallel()
	h := newHandlers(&Service{})
	seen := map[string]bool{}
	for _, c := range h.components() {
		seen[c.Action] = true
	}
	for _, m := range h.modals() {
		seen[m.Action] = true
	}
	for _, a := range []string{actSubmit, actAnswer, actVote, actBallot, actRules, actHow, actRoom, actMine} {
		if !seen[a] {
			t.Errorf("action %q has no handler", a)
		}
	}
}
