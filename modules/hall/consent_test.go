package hall

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// TestOnlyPairsWhereBothOptedInAreNamed: one partner's consent is not
// enough; opting out removes the pair from the live card; counts still
// include everyone.
func TestOnlyPairsWhereBothOptedInAreNamed(t *testing.T) {
	t.Parallel()
	now := utc("2026-11-15T12:00:00Z")
	e := newEnv(t, "", now, "quest")
	e.pairs.add(1, 11, 12)
	e.pairs.add(2, 21, 22)
	e.pairs.add(3, 31, 32)
	e.quest.add(1, now, 10)
	e.quest.add(2, now, 5)
	e.quest.add(3, now, 7)
	e.sync()
	c := e.card("2026-11")
	before := e.proj.Count(CardKind, c.Key())

	e.optin(11, "quest")
	card := e.render("2026-11")
	if strings.Contains(card, "<@11>") || !strings.Contains(card, "No opted-in pairs yet") {
		t.Fatalf("one partner opted in, pair named: %s", card)
	}
	if !strings.Contains(card, "3 pair(s) took part") || !strings.Contains(card, "Active pairs: **3**") {
		t.Fatalf("counts: %s", card)
	}
	if e.proj.Count(CardKind, c.Key()) != before+1 {
		t.Fatal("opting in did not request a refresh of the live card")
	}

	e.optin(12, "all")
	e.optin(21, "quest")
	e.optin(22, "quest")
	e.optin(31, "quest") // 32 never agrees
	card = e.render("2026-11")
	first, second := strings.Index(card, "1. <@11> & <@12> — **10**"), strings.Index(card, "2. <@21> & <@22> — **5**")
	if first < 0 || second < first || strings.Contains(card, "@31") {
		t.Fatalf("want pair 1 then pair 2, not pair 3: %s", card)
	}
	if !strings.Contains(card, `"allowed_mentions":{"parse":[],`) {
		t.Fatalf("card may ping: %s", card)
	}

	e.optout(22, "all")
	if card = e.render("2026-11"); strings.Contains(card, "@21") || !strings.Contains(card, "@11") {
		t.Fatalf("opted-out pair still named: %s", card)
	}
	if e.proj.Count(CardKind, c.Key()) != before+6 {
		t.Fatalf("%d refresh requests, want one per consent change", e.proj.Count(CardKind, c.Key())-before)
	}
}

func TestStatusAndUnknownCategory(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "", utc("2026-11-15T12:00:00Z"), "quest", "chess")
	e.pairs.add(1, 11, 12)
	ctx := context.Background()
	if err := e.svc.OptIn(ctx, testGuild, 11, "raid"); !errors.Is(err, ErrUnknownCategory) {
		t.Fatalf("unknown category: %v", err)
	}
	e.optin(11, "all")
	e.optin(12, "chess")
	e.guilds.set("chess", false)
	st, err := e.svc.Status(ctx, testGuild, 11)
	must(t, err)
	if len(st) != 2 || st[0].Category.Key != "quest" || !st[0].Mine || st[0].Partner || !st[0].HasPair ||
		!st[1].Mine || !st[1].Partner || st[1].On {
		t.Fatalf("status = %+v", st)
	}
	// Opting out of all also drops categories no longer deployed.
	_, err = e.db.Pool.Exec(ctx, `INSERT INTO hall_optins (guild_id, user_id, category) VALUES ($1, 11, 'gone')`, int64(testGuild))
	must(t, err)
	e.optout(11, "all")
	var n int
	must(t, e.db.Pool.QueryRow(ctx, `SELECT count(*) FROM hall_optins WHERE user_id = 11`).Scan(&n))
	if n != 0 {
		t.Fatalf("%d opt-ins left after opting out of all", n)
	}
	st, err = e.svc.Status(ctx, testGuild, 99) // no pair
	must(t, err)
	if st[0].HasPair || st[0].Mine {
		t.Fatalf("status without pair = %+v", st)
	}
}

// TestWithdrawnConsentReachesFrozenCards: a final card keeps its places and
// points, but a pair one of whose members withdrew consent to the category
// is no longer named there; the withdrawal requests every card naming the
// member (and only those), and opting in again names the pair again.
func TestWithdrawnConsentReachesFrozenCards(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "", utc("2026-10-10T12:00:00Z"), "quest", "chess")
	e.consentingPairs(1, 2)
	e.sync()
	e.quest.add(1, utc("2026-10-12T00:00:00Z"), 9)
	e.quest.add(2, utc("2026-10-12T00:00:00Z"), 4)
	e.chess.add(1, utc("2026-10-12T00:00:00Z"), 2)
	e.clock.Set(utc("2026-11-02T00:00:00Z"))
	e.sync() // October final, November live
	e.quest.add(2, utc("2026-11-03T00:00:00Z"), 1)
	e.clock.Set(utc("2026-12-01T00:00:00Z"))
	e.sync() // November final (pair 2 only), December live
	oct, nov, dec := e.card("2026-10").Key(), e.card("2026-11").Key(), e.card("2026-12").Key()
	if e.card("2026-10").Status != StatusFinal || e.card("2026-11").Status != StatusFinal {
		t.Fatal("october and november must be final")
	}
	count := func() [3]int {
		return [3]int{e.proj.Count(CardKind, oct), e.proj.Count(CardKind, nov), e.proj.Count(CardKind, dec)}
	}
	before := count()

	e.optout(12, "quest")
	if got := count(); got != [3]int{before[0] + 1, before[1], before[2] + 1} {
		t.Fatalf("requests after opt-out = %v, before %v: want october (names 12) and the live card, not november", got, before)
	}
	card := e.render("2026-10")
	if strings.Contains(card, "<@11> & <@12> — **9**") || !strings.Contains(card, "1. *a pair who asked not to be named* — **9**") ||
		!strings.Contains(card, "2. <@21> & <@22> — **4**") {
		t.Fatalf("october after 12 withdrew quest: %s", card)
	}
	// Consent is per category: the chess ranking still names the pair.
	if !strings.Contains(card, "1. <@11> & <@12> — **2**") {
		t.Fatalf("chess line of october: %s", card)
	}
	if card := e.render("2026-11"); !strings.Contains(card, "1. <@21> & <@22> — **1**") {
		t.Fatalf("november: %s", card)
	}

	e.optout(11, "all")
	if card := e.render("2026-10"); strings.Contains(card, "<@11>") || strings.Contains(card, "<@12>") ||
		strings.Count(card, "*a pair who asked not to be named*") != 2 {
		t.Fatalf("october after 11 withdrew everything: %s", card)
	}

	// The rows are kept: consent given again names the pair again.
	mid := count()
	e.optin(11, "all")
	e.optin(12, "all")
	if got := count(); got[0] != mid[0]+2 || got[1] != mid[1] {
		t.Fatalf("requests after opting in again = %v, before %v", got, mid)
	}
	if card := e.render("2026-10"); !strings.Contains(card, "1. <@11> & <@12> — **9**") || strings.Contains(card, "asked not to be named") {
		t.Fatalf("october after opting in again: %s", card)
	}
}
