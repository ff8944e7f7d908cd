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
			if id.Arg(0) != itoa(v) {
				t.Fatalf("%s: first arg %q, want %d", action, id.Arg(0), v)
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

// TestCustomIDsMatchDeclarations: every id the module builds from real
// values (every library quest, the longest key) passes the arguments its
// component declares, so the router never refuses the module's own buttons.
func TestCustomIDsMatchDeclarations(t *testing.T) {
	t.Parallel()
	declared := map[string][]customid.Arg{}
	for _, c := range newHandlers(&service{}).Components() {
		declared[c.Action] = c.Args
	}
	keys := []string{strings.Repeat("z", maxKeyLen)}
	for _, q := range library {
		keys = append(keys, q.Key)
	}
	for _, v := range []int64{1, math.MaxInt64} {
		ids := map[string]string{}
		for _, a := range []string{actTake, actMine, actRules} {
			ids[a], _ = boardButtonID(a, v)
		}
		ids[actConfirm], _ = confirmID(v)
		for action, s := range ids {
			id, _ := customid.Parse(s)
			if err := customid.CheckArgs(id, declared[action]); err != nil || id.Int64(0) != v {
				t.Fatalf("%s: own id %q refused (%v) or read as %d", action, s, err, id.Int64(0))
			}
		}
		for _, k := range keys {
			s, _ := claimID(v, k)
			id, _ := customid.Parse(s)
			if err := customid.CheckArgs(id, declared[actClaim]); err != nil {
				t.Fatalf("claim %q refused: %v", s, err)
			}
		}
	}
	for _, bad := range []string{"", strings.Repeat("z", maxKeyLen+1), "Quest", "a-b", "a.b"} {
		if err := questKeyArg.Check(bad); err == nil {
			t.Fatalf("quest key %q accepted", bad)
		}
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
