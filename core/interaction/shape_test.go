package interaction_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/disgoorg/disgo/discord"

	"github.com/together-bot/together/core/customid"
	"github.com/together-bot/together/core/interaction"
)

// outcomes records what the router reported for each interaction.
type outcomes struct {
	mu  sync.Mutex
	got []string
}

func (o *outcomes) Interaction(module, command, outcome string, _ time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.got = append(o.got, outcome)
}

func (o *outcomes) last() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.got) == 0 {
		return ""
	}
	return o.got[len(o.got)-1]
}

// evenArg is a module-specific argument type (customid.Custom).
var evenArg = customid.Custom("even", func(s string) error {
	if s == "" || (s[len(s)-1]-'0')%2 != 0 {
		return errors.New("not an even number")
	}
	return nil
})

// shapeOptions registers one component of every kind, each of whose
// handlers fails loudly (the generic error) when it is handed anything its
// declaration excludes, so a gap in the router's checks shows as "error".
func shapeOptions(ran *int) interaction.Options {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("handler saw unchecked input: "+format, args...)
	}
	stringValues := func(c *interaction.Context) []string {
		ci, _ := c.ComponentInteraction()
		return ci.StringSelectMenuInteractionData().Values // panics on any other type
	}
	return interaction.Options{
		Components: []interaction.Component{
			{Module: "shape", Action: "btn", Type: discord.ComponentTypeButton,
				Args: []customid.Arg{customid.ID64("round"), customid.Snowflake("user"), customid.Int("page", -1, 9), customid.OneOf("phase", "answer", "vote"), evenArg},
				Handle: func(c *interaction.Context, id customid.ID) error {
					if id.Int64(0) <= 0 || id.Uint64(1) == 0 || id.Int64(2) < -1 || id.Int64(2) > 9 || len(id.Args) != 5 {
						return fail("%v", id.Args)
					}
					*ran++
					return c.ReplyText(true, "ok")
				}},
			{Module: "shape", Action: "plain", Type: discord.ComponentTypeButton,
				Handle: func(c *interaction.Context, id customid.ID) error {
					if len(id.Args) != 0 {
						return fail("%v", id.Args)
					}
					*ran++
					return c.ReplyText(true, "ok")
				}},
			{Module: "shape", Action: "pick", Type: discord.ComponentTypeStringSelectMenu,
				Args: []customid.Arg{customid.ID64("round")}, Values: interaction.Values{Min: 1, Max: 2, Each: customid.OneOf("choice", "a", "b", "c")},
				Handle: func(c *interaction.Context, id customid.ID) error {
					v := stringValues(c)
					if id.Int64(0) <= 0 || len(v) < 1 || len(v) > 2 || strings.Trim(strings.Join(v, ""), "abc") != "" {
						return fail("%v %v", id.Args, v)
					}
					*ran++
					return c.ReplyText(true, "ok")
				}},
			{Module: "shape", Action: "role", Type: discord.ComponentTypeRoleSelectMenu, Values: interaction.Values{Min: 0, Max: 1},
				Handle: func(c *interaction.Context, id customid.ID) error {
					ci, _ := c.ComponentInteraction()
					d := ci.RoleSelectMenuInteractionData() // panics on any other type
					if len(d.Values) > 1 || (len(d.Values) == 1 && d.Values[0] == 0) {
						return fail("%v", d.Values)
					}
					*ran++
					return c.ReplyText(true, "ok")
				}},
			{Module: "shape", Action: "user", Type: discord.ComponentTypeUserSelectMenu,
				Args: []customid.Arg{customid.Int("page", 0, 3)}, Values: interaction.Values{Min: 1, Max: 3},
				Handle: func(c *interaction.Context, id customid.ID) error {
					ci, _ := c.ComponentInteraction()
					if n := len(ci.UserSelectMenuInteractionData().Values); n < 1 || n > 3 {
						return fail("%d values", n)
					}
					*ran++
					return c.ReplyText(true, "ok")
				}},
		},
		Modals: []interaction.Modal{
			{Module: "shape", Action: "form", Args: []customid.Arg{customid.ID64("round"), customid.ID64("pair")},
				Handle: func(c *interaction.Context, id customid.ID) error {
					if id.Int64(0) <= 0 || id.Int64(1) <= 0 || len(id.Args) != 2 {
						return fail("%v", id.Args)
					}
					*ran++
					return c.ReplyText(true, "ok")
				}},
		},
	}
}

func shapeHarness(t testing.TB, ran *int) (*harness, *outcomes) {
	obs := &outcomes{}
	h := newHarness(t, interaction.Options{}, func(h *harness) interaction.Options {
		o := shapeOptions(ran)
		o.Observer = obs
		return o
	})
	return h, obs
}

func TestComponentShapeChecked(t *testing.T) {
	var ran int
	h, obs := shapeHarness(t, &ran)
	btn := func(args ...string) discord.Interaction {
		return button(t, guildA, member{}, customid.MustNew("shape", "btn", args...))
	}
	pick := func(typ discord.ComponentType, args []string, values ...string) discord.Interaction {
		return component(t, guildA, member{}, customid.MustNew("shape", "pick", args...), typ, values...)
	}
	role := func(typ discord.ComponentType, values ...string) discord.Interaction {
		return component(t, guildA, member{}, customid.MustNew("shape", "role"), typ, values...)
	}
	const big = "18446744073709551615"
	tests := []struct {
		name string
		in   discord.Interaction
		ok   bool
	}{
		{"valid button", btn("12", "1234567890123456789", "-1", "vote", "8"), true},
		{"letters for an id", btn("abc", "1", "0", "vote", "8"), false},
		{"float for an id", btn("3.0", "1", "0", "vote", "8"), false},
		{"20-digit id", btn("12345678901234567890", "1", "0", "vote", "8"), false},
		{"snowflake past uint64", btn("1", "18446744073709551616", "0", "vote", "8"), false},
		{"page out of range", btn("1", "1", "10", "vote", "8"), false},
		{"unknown word", btn("1", "1", "0", "close", "8"), false},
		{"custom type refuses", btn("1", "1", "0", "vote", "7"), false},
		{"missing argument", btn("1", "1", "0", "vote"), false},
		{"extra argument", btn("1", "1", "0", "vote", "8", "9"), false},
		{"argument on a plain button", button(t, guildA, member{}, customid.MustNew("shape", "plain", "1")), false},
		{"plain button", button(t, guildA, member{}, customid.MustNew("shape", "plain")), true},
		{"valid string select", pick(discord.ComponentTypeStringSelectMenu, []string{"4"}, "a", "c"), true},
		{"select id on a button", pick(discord.ComponentTypeButton, []string{"4"}), false},
		{"string select as a user select", pick(discord.ComponentTypeUserSelectMenu, []string{"4"}, "5"), false},
		{"too many values", pick(discord.ComponentTypeStringSelectMenu, []string{"4"}, "a", "b", "c"), false},
		{"too few values", pick(discord.ComponentTypeStringSelectMenu, []string{"4"}), false},
		{"value not offered", pick(discord.ComponentTypeStringSelectMenu, []string{"4"}, "d"), false},
		{"select with a bad id arg", pick(discord.ComponentTypeStringSelectMenu, []string{"x"}, "a"), false},
		{"button id on a select", component(t, guildA, member{}, customid.MustNew("shape", "plain"), discord.ComponentTypeStringSelectMenu, "a"), false},
		{"role select, none chosen", role(discord.ComponentTypeRoleSelectMenu), true},
		{"role select, one role", role(discord.ComponentTypeRoleSelectMenu, big), true},
		{"role select, two roles", role(discord.ComponentTypeRoleSelectMenu, "5", "6"), false},
		{"role select, id zero", role(discord.ComponentTypeRoleSelectMenu, "0"), false},
		{"role select as a channel select", role(discord.ComponentTypeChannelSelectMenu, "5"), false},
		{"user select, none chosen below Min", component(t, guildA, member{}, customid.MustNew("shape", "user", "0"), discord.ComponentTypeUserSelectMenu), false},
		{"valid modal", modal(t, guildA, member{}, customid.MustNew("shape", "form", "3", "4")), true},
		{"modal with a letter", modal(t, guildA, member{}, customid.MustNew("shape", "form", "3", "x")), false},
		{"modal missing an argument", modal(t, guildA, member{}, customid.MustNew("shape", "form", "3")), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := ran
			h.logs.Reset()
			got := only(t, h.run(tt.in))
			if tt.ok {
				if ran != before+1 || got.Content != "ok" || obs.last() != "ok" {
					t.Fatalf("valid interaction: ran %d→%d, answer %+v, outcome %q", before, ran, got, obs.last())
				}
				return
			}
			if ran != before {
				t.Fatal("the handler ran")
			}
			if got.Kind != respCreate || !got.Flags.Has(discord.MessageFlagEphemeral) || !strings.Contains(got.Content, "out of date or damaged") {
				t.Fatalf("answer %+v, want the damaged-button refusal", got)
			}
			logs := h.logs.String()
			if obs.last() != "bad_id" || !strings.Contains(logs, `"level":"WARN"`) || !strings.Contains(logs, "bad custom id") ||
				!strings.Contains(logs, `"interaction_id":"`+tt.in.ID().String()+`"`) || !strings.Contains(logs, `"module":"shape"`) {
				t.Fatalf("outcome %q, log %s", obs.last(), logs)
			}
		})
	}
}

// The refusal is localized like every other: a Russian guild reads it in Russian.
func TestComponentShapeRefusalLocalized(t *testing.T) {
	var ran int
	h, _ := shapeHarness(t, &ran)
	in := unmarshal(t, strings.Replace(mustJSON(t, customid.MustNew("shape", "btn", "abc", "1", "0", "vote", "8")), `"guild_locale":"en-US"`, `"guild_locale":"ru"`, 1))
	got := only(t, h.run(in))
	if !strings.Contains(got.Content, "устарела или повреждена") || ran != 0 {
		t.Fatalf("ru guild got %+v", got)
	}
}

func mustJSON(t *testing.T, customID string) string {
	t.Helper()
	return "{" + base(3, guildA, member{}, "en-US") + fmt.Sprintf(`,"data":{"custom_id":%q,"component_type":2},"message":{"id":"800","channel_id":"600","content":"","author":{"id":"42","username":"bot"},"timestamp":"2024-01-01T00:00:00Z"}}`, customID)
}

func TestIncompleteDeclarationFailsAtStart(t *testing.T) {
	noop := func(*interaction.Context, customid.ID) error { return nil }
	tests := []struct {
		name  string
		comp  *interaction.Component
		modal *interaction.Modal
		want  string
	}{
		{"component without Type", &interaction.Component{Module: "duel", Action: "vote", Handle: noop}, nil, "Type must be"},
		{"component of a layout type", &interaction.Component{Module: "duel", Action: "vote", Type: discord.ComponentTypeActionRow, Handle: noop}, nil, "Type must be"},
		{"untyped argument", &interaction.Component{Module: "duel", Action: "vote", Type: discord.ComponentTypeButton,
			Args: []customid.Arg{customid.ID64("round"), {Name: "page"}}, Handle: noop}, nil, "argument 1"},
		{"custom argument without a check", &interaction.Component{Module: "duel", Action: "vote", Type: discord.ComponentTypeButton,
			Args: []customid.Arg{customid.Custom("week", nil)}, Handle: noop}, nil, "has no type"},
		{"button with values", &interaction.Component{Module: "duel", Action: "vote", Type: discord.ComponentTypeButton,
			Values: interaction.Values{Max: 1}, Handle: noop}, nil, "a button has no Values"},
		{"select without values", &interaction.Component{Module: "duel", Action: "vote", Type: discord.ComponentTypeStringSelectMenu,
			Handle: noop}, nil, "select Values need"},
		{"select with Min above Max", &interaction.Component{Module: "duel", Action: "vote", Type: discord.ComponentTypeRoleSelectMenu,
			Values: interaction.Values{Min: 2, Max: 1}, Handle: noop}, nil, "select Values need"},
		{"select above Discord's 25", &interaction.Component{Module: "duel", Action: "vote", Type: discord.ComponentTypeUserSelectMenu,
			Values: interaction.Values{Max: 26}, Handle: noop}, nil, "select Values need"},
		{"string select without Each", &interaction.Component{Module: "duel", Action: "vote", Type: discord.ComponentTypeStringSelectMenu,
			Values: interaction.Values{Min: 1, Max: 1}, Handle: noop}, nil, "needs Values.Each"},
		{"entity select with Each", &interaction.Component{Module: "duel", Action: "vote", Type: discord.ComponentTypeChannelSelectMenu,
			Values: interaction.Values{Max: 1, Each: customid.Snowflake("channel")}, Handle: noop}, nil, "entity selects carry Discord ids"},
		{"modal with an untyped argument", nil, &interaction.Modal{Module: "duel", Action: "answer",
			Args: []customid.Arg{{Name: "round"}}, Handle: noop}, "has no type"},
	}
	b := newBundle(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := interaction.Options{Bundle: b, Settings: &fakeSettings{}}
			name := "modal duel:answer"
			if tt.comp != nil {
				o.Components, name = []interaction.Component{*tt.comp}, "component duel:vote"
			} else {
				o.Modals = []interaction.Modal{*tt.modal}
			}
			_, err := interaction.NewRouter(o)
			if err == nil || !strings.Contains(err.Error(), name) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("NewRouter = %v, want an error naming %s and saying %q", err, name, tt.want)
			}
		})
	}
	// A complete declaration of each kind starts.
	var ran int
	if _, err := interaction.NewRouter(interaction.Options{Bundle: b, Settings: &fakeSettings{}, Components: shapeOptions(&ran).Components,
		Modals: shapeOptions(&ran).Modals}); err != nil {
		t.Fatalf("complete declarations refused: %v", err)
	}
}

// FuzzComponentInteraction drives the real router with arbitrary custom
// ids, component types and select values against components of every
// argument kind. Whatever arrives, the answer is the handler's, a refusal
// or the damaged-button refusal: never the generic error (which is also
// what a handler panic becomes) and never silence. Each input is sent as
// given and, when it splits into valid parts, re-signed with a correct
// checksum so the fuzzer reaches the argument checks.
func FuzzComponentInteraction(f *testing.F) {
	btn := func(args ...string) string { return customid.MustNew("shape", "btn", args...) }
	seeds := []struct {
		id     string
		typ    int
		values string
	}{
		{btn("12", "34", "0", "vote", "8"), 2, ""},
		{btn("abc", "34", "0", "vote", "8"), 2, ""},
		{btn("3.0", "34", "0", "vote", "8"), 2, ""},
		{btn("12345678901234567890", "34", "0", "vote", "8"), 2, ""},
		{btn("12", "34", "0", "vote"), 2, ""},
		{btn("12", "34", "0", "vote", "8", "extra"), 2, ""},
		{customid.MustNew("shape", "pick", "4"), 2, ""},
		{customid.MustNew("shape", "pick", "4"), 3, "a,b"},
		{customid.MustNew("shape", "pick", "4"), 3, "a,b,c"},
		{customid.MustNew("shape", "pick", "4"), 3, "zzz"},
		{customid.MustNew("shape", "plain"), 3, "a"},
		{customid.MustNew("shape", "role"), 6, "0"},
		{customid.MustNew("shape", "role"), 8, "5"},
		{customid.MustNew("shape", "user", "1"), 5, "5,6,7,8"},
		{"1:shape:btn:12:34:0:vote:8", 2, ""}, // unsigned: re-signed by the target
		{"1:shape:pick:4", 3, "a"},
		{"", 2, ""},
	}
	for _, s := range seeds {
		f.Add(s.id, s.typ, s.values)
	}
	var ran int
	h, obs := shapeHarness(f, &ran)
	f.Fuzz(func(t *testing.T, customID string, typ int, values string) {
		var vals []string
		if values != "" {
			vals = strings.Split(values, ",")
		}
		ids := []string{customID}
		if parts := strings.Split(customID, ":"); len(parts) >= 3 {
			if resigned, err := customid.New(parts[1], parts[2], parts[3:]...); err == nil {
				ids = append(ids, resigned)
			}
		}
		for _, id := range ids {
			in, err := componentJSON(guildA, member{}, id, discord.ComponentType(typ), vals)
			if err != nil {
				continue // not something Discord can send (unknown type, non-numeric entity ids)
			}
			h.rec.reset()
			h.logs.Reset()
			calls := h.run(in)
			if len(calls) == 0 || obs.last() == "error" || strings.Contains(calls[0].Content, "Something went wrong") {
				t.Fatalf("id %q type %d values %q: outcome %q, answers %+v\n%s", id, typ, vals, obs.last(), calls, h.logs.String())
			}
		}
	})
}

func TestRendersMatchesDeclarations(t *testing.T) {
	var ran int
	decl := map[string]interaction.Component{}
	for _, c := range shapeOptions(&ran).Components {
		decl[c.Action] = c
	}
	pickID := customid.MustNew("shape", "pick", "4")
	tests := []struct {
		name     string
		action   string
		rendered discord.Component
		ok       bool
	}{
		{"button", "btn", discord.NewPrimaryButton("b", customid.MustNew("shape", "btn", "1", "2", "3", "answer", "0")), true},
		{"button with a bad argument", "btn", discord.NewPrimaryButton("b", customid.MustNew("shape", "btn", "1", "2", "3", "answer", "1")), false},
		{"button rendered as a select", "plain", discord.NewStringSelectMenu(customid.MustNew("shape", "plain"), "p", discord.NewStringSelectMenuOption("a", "a")), false},
		{"string select", "pick", discord.NewStringSelectMenu(pickID, "p", discord.NewStringSelectMenuOption("A", "a"), discord.NewStringSelectMenuOption("B", "b")).WithMaxValues(2), true},
		{"option the handler refuses", "pick", discord.NewStringSelectMenu(pickID, "p", discord.NewStringSelectMenuOption("D", "d")), false},
		{"more values than declared", "pick", discord.NewStringSelectMenu(pickID, "p", discord.NewStringSelectMenuOption("A", "a")).WithMaxValues(3), false},
		{"fewer values than declared", "pick", discord.NewStringSelectMenu(pickID, "p", discord.NewStringSelectMenuOption("A", "a")).WithMinValues(0), false},
		{"role select", "role", discord.NewRoleSelectMenu(customid.MustNew("shape", "role"), "r").WithMinValues(0).WithMaxValues(1), true},
		{"role select, Discord's default 1..1", "role", discord.NewRoleSelectMenu(customid.MustNew("shape", "role"), "r"), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := decl[tt.action].Renders(tt.rendered)
			if (err == nil) != tt.ok {
				t.Fatalf("Renders = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}
