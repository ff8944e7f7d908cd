package raid

import (
	"math"
	"strings"
	"testing"

	"github.com/together-bot/together/core/customid"
	"github.com/together-bot/together/core/customid/customidtest"
)

// TestCustomIDsFit builds every custom id the module emits with the longest
// possible values: bigint ids and the longest quest key the schema allows.
func TestCustomIDsFit(t *testing.T) {
	t.Parallel()
	longKey := strings.Repeat("z", maxKeyLen)
	for _, v := range []int64{math.MinInt64, math.MaxInt64} {
		builders := map[string]func() (string, error){
			actTake:    func() (string, error) { return boardButtonID(actTake, v) },
			actMine:    func() (string, error) { return boardButtonID(actMine, v) },
			actRules:   func() (string, error) { return boardButtonID(actRules, v) },
			actClaim:   func() (string, error) { return claimID(v, longKey) },
			actConfirm: func() (string, error) { return confirmID(v) },
		}
		for action, build := range builders {
			s := customidtest.RequireFitsFunc(t, build)
			id, err := customid.Parse(s)
			if err != nil || id.Module != Name || id.Action != action {
				t.Fatalf("%s: %q parsed as %+v (%v)", action, s, id, err)
			}
			if got, err := idArg(id, 0); err != nil || got != v {
				t.Fatalf("%s: first arg %d (%v), want %d", action, got, err, v)
			}
		}
	}
	customidtest.RequireFits(t, Name, actClaim, customidtest.Int64, longKey)
	for _, q := range library {
		customidtest.RequireFits(t, Name, actClaim, customidtest.Int64, q.Key)
	}
	for _, a := range []string{actTake, actMine, actRules, actConfirm} {
		customidtest.RequireFits(t, Name, a, customidtest.UUID)
	}
}

func TestEveryActionIsRouted(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, c := range newHandlers(&service{}).Components() {
		seen[c.Action] = true
	}
	for _, a := range []string{actTake, actMine, actRules, actClaim, actConfirm} {
		if !seen[a] {
			t.Errorf("action %q has no handler", a)
		}
	}
}
