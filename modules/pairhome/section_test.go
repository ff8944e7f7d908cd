package pairhome

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/disgoorg/disgo/discord"
	"github.com/uptrace/bun"

	"github.com/together-bot/together/core/customid"
	"github.com/together-bot/together/modules/pairhome/pairhomeapi"
)

// exampleSection is what a module such as raid contributes: a line of its
// state for the pair and a button that routes to its own handler.
func exampleSection(module string, order int) Section {
	return Section{Module: module, Order: order,
		Render: func(ctx context.Context, db bun.IDB, p pairhomeapi.Pair, locale string) (SectionView, error) {
			var n int
			if err := db.QueryRowContext(ctx, `SELECT count(*) FROM pairhome_members WHERE pair_id = ?`, p.ID).Scan(&n); err != nil {
				return SectionView{}, err
			}
			label := "Quests"
			if locale == "ru" {
				label = "Квесты"
			}
			return SectionView{
				Text:    fmt.Sprintf("**%s** section for pair %d (%d members)", module, p.ID, n),
				Buttons: []discord.ButtonComponent{discord.NewSecondaryButton(label, customid.MustNew(module, "open", fmt.Sprint(p.ID)))},
			}, nil
		}}
}

func TestSectionsFollowModuleSwitchesPerGuild(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{sections: []Section{exampleSection("raidx", 20), exampleSection("duelx", 10)}})
	p := e.mustCreate("anna", "boris")
	ch := e.waitRoom(p.ID)
	has := func(mod string) func(string) bool {
		return func(text string) bool { return strings.Contains(text, "**"+mod+"** section") }
	}
	e.waitPanel(ch, "both sections, duel first", func(text string) bool {
		return has("raidx")(text) && has("duelx")(text) && strings.Index(text, "duelx") < strings.Index(text, "raidx")
	})
	if err := e.svc.SyncSections(e.ctx); err != nil { // records what is shown
		t.Fatal(err)
	}
	if err := e.guilds.SetModule(e.ctx, e.guild, 0, "raidx", false); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.SyncSections(e.ctx); err != nil {
		t.Fatal(err)
	}
	e.waitPanel(ch, "raid section gone", func(text string) bool { return !has("raidx")(text) && has("duelx")(text) })
	if err := e.guilds.SetModules(e.ctx, e.guild, 0, map[string]bool{"raidx": true, "duelx": false}); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.SyncSections(e.ctx); err != nil {
		t.Fatal(err)
	}
	panel := e.waitPanel(ch, "raid back, duel gone", func(text string) bool { return has("raidx")(text) && !has("duelx")(text) })
	if !strings.Contains(jsonText(panel), customid.MustNew("raidx", "open", fmt.Sprint(p.ID))) {
		t.Fatalf("section button missing: %s", jsonText(panel))
	}
	// A contributing module refreshes the panel in its own transaction.
	e.exec(`CREATE TABLE raidx_points (pair_id bigint)`)
	e.inTx(func(tx bunTx) error {
		if _, err := tx.ExecContext(e.ctx, `INSERT INTO raidx_points VALUES (?)`, p.ID); err != nil {
			return err
		}
		return e.svc.RequestPanel(e.ctx, tx, p.ID)
	})
	e.settle()
	if ps := e.panelMessages(ch); len(ps) != 1 {
		t.Fatalf("%d panels, want 1", len(ps))
	}
}

func TestPanelWithoutDeployedSections(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	p := e.mustCreate("carol", "dave")
	ch := e.waitRoom(p.ID)
	e.waitPanel(ch, "panel without sections", func(text string) bool {
		return strings.Contains(text, "Nothing to do right now") && !strings.Contains(text, `"custom_id"`)
	})
}

func TestBuildPanelLocalizedAndNoPing(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{noQueue: true})
	p := PairRef{ID: 7, GuildID: 1, Members: [2]uint64{11, 22}, ChannelID: 3, Status: StatusActive}
	views := []SectionView{{Text: "x", Buttons: make([]discord.ButtonComponent, 7)}}
	for i := range views[0].Buttons {
		views[0].Buttons[i] = discord.NewSecondaryButton("b", customid.MustNew("m", "a", fmt.Sprint(i)))
	}
	m := buildPanel(e.bundle, "ru", p, nil, views)
	text := jsonText(norm(m))
	for _, want := range []string{"Дом пары", "<@11> и <@22>", `"parse":[]`} {
		if !strings.Contains(text, want) {
			t.Errorf("ru panel lacks %q: %s", want, text)
		}
	}
	if strings.Count(text, `"custom_id"`) != maxSectionButtons {
		t.Errorf("want %d buttons (one row), got %s", maxSectionButtons, text)
	}
	p.Status = StatusArchived
	if text := jsonText(norm(buildPanel(e.bundle, "en", p, nil, nil))); !strings.Contains(text, "dissolved") || strings.Contains(text, "Nothing to do") {
		t.Errorf("archived panel: %s", text)
	}
}
