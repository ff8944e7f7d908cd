package guild_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/db/dbtest"
	"github.com/together-bot/together/core/guild"
	"github.com/together-bot/together/core/refusal"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

var purposes = []guild.ChannelPurpose{
	{Module: "duel", Key: "board", NameKey: "duel.purpose.board", TestPost: true},
	{Module: "pairhome", Key: "rooms", NameKey: "pairhome.purpose.rooms", Kind: guild.Category},
}

func newService(t *testing.T) (*guild.Service, *db.DB) {
	t.Helper()
	d := dbtest.New(t)
	s, err := guild.NewService(d, quiet, purposes)
	if err != nil {
		t.Fatal(err)
	}
	return s, d
}

func TestSettingsDefaultsAndWrites(t *testing.T) {
	t.Parallel()
	s, _ := newService(t)
	ctx := context.Background()
	st, err := s.Settings(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if st.Exists || !st.ModuleOn("duel") || st.Locale != "" {
		t.Fatalf("defaults: %+v", st)
	}
	if err := s.SetLocale(ctx, 1, 9, "ru"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetTimezone(ctx, 1, 9, "Europe/Berlin"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetModeratorRole(ctx, 1, 9, 555); err != nil {
		t.Fatal(err)
	}
	if err := s.SetModule(ctx, 1, 9, "duel", false); err != nil {
		t.Fatal(err)
	}
	if err := s.SetChannel(ctx, 1, 9, "duel.board", 777); err != nil {
		t.Fatal(err)
	}
	st, err = s.Settings(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	ch, _ := st.Channel("duel", "board")
	if st.Locale != "ru" || st.Timezone != "Europe/Berlin" || st.ModeratorRoleID != 555 || st.ModuleOn("duel") || ch != 777 {
		t.Fatalf("after writes: %+v", st)
	}
	if on, _ := s.ModuleEnabled(ctx, "duel", 2); !on {
		t.Fatal("another guild must keep the default (on)")
	}
	if on, _ := s.ModuleEnabled(ctx, "core", 1); !on {
		t.Fatal("core is always on")
	}
	if err := s.SetChannel(ctx, 1, 9, "duel.board", 0); err != nil {
		t.Fatal(err)
	}
	st, _ = s.Settings(ctx, 1)
	if _, ok := st.Channel("duel", "board"); ok {
		t.Fatal("cleared channel still set")
	}
}

func TestSettersRefuseBadInput(t *testing.T) {
	t.Parallel()
	s, _ := newService(t)
	ctx := context.Background()
	for _, zone := range []string{"Mars/Olympus", "Local", "../etc/passwd", strings.Repeat("Europe/Berlin", 25)} {
		if err := s.SetTimezone(ctx, 1, 0, zone); !errors.Is(err, guild.ErrBadTimezone) {
			t.Fatalf("SetTimezone(%.20q) err = %v", zone, err)
		}
	}
	// Every tzdata zone is accepted, not only Area/City names.
	for _, zone := range []string{"EST5EDT", "UTC", "America/Argentina/Buenos_Aires"} {
		if err := s.SetTimezone(ctx, 1, 0, zone); err != nil {
			t.Fatalf("SetTimezone(%q): %v", zone, err)
		}
	}
	if err := s.SetLocale(ctx, 1, 0, "de"); !errors.Is(err, guild.ErrBadLocale) {
		t.Fatalf("locale err = %v", err)
	}
	if err := s.SetChannel(ctx, 1, 0, "nope.x", 1); !errors.Is(err, guild.ErrUnknownPurpose) {
		t.Fatalf("purpose err = %v", err)
	}
	if err := s.SetModule(ctx, 1, 0, "core", false); !errors.Is(err, guild.ErrCoreAlwaysOn) {
		t.Fatalf("core err = %v", err)
	}
}

// Two services on one database stand for two replicas: a write through one is
// seen by the other through NOTIFY long before the TTL would expire.
func TestCrossReplicaInvalidation(t *testing.T) {
	t.Parallel()
	a, d := newService(t)
	b, err := guild.NewService(d, quiet, purposes)
	if err != nil {
		t.Fatal(err)
	}
	b.SetTTL(time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go b.Listen(ctx)
	if on, _ := b.ModuleEnabled(ctx, "duel", 5); !on {
		t.Fatal("default on")
	}
	deadline := time.Now().Add(10 * time.Second)
	lastWrite := time.Time{}
	for {
		// Repeat the write until seen: the listener may not have subscribed
		// yet when the first notification goes out.
		if time.Since(lastWrite) > 500*time.Millisecond {
			if err := a.SetModule(ctx, 5, 0, "duel", false); err != nil {
				t.Fatal(err)
			}
			lastWrite = time.Now()
		}
		on, err := b.ModuleEnabled(ctx, "duel", 5)
		if err != nil {
			t.Fatal(err)
		}
		if !on {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("replica b still sees the module on")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestServesStaleWhenDatabaseIsDown(t *testing.T) {
	t.Parallel()
	s, d := newService(t)
	s.SetTTL(0)
	ctx := context.Background()
	if err := s.SetModule(ctx, 3, 0, "duel", false); err != nil {
		t.Fatal(err)
	}
	if on, _ := s.ModuleEnabled(ctx, "duel", 3); on {
		t.Fatal("should be off")
	}
	d.Pool.Close()
	on, err := s.ModuleEnabled(ctx, "duel", 3)
	if err != nil || on {
		t.Fatalf("stale read: on=%v err=%v", on, err)
	}
	if _, err := s.Settings(ctx, 4); err == nil {
		t.Fatal("uncached guild with the database down must fail")
	}
}

func TestPlanModuleChange(t *testing.T) {
	req := guild.Requirements{"duel": {"pairhome"}, "raid": {"pairhome"}, "pairhome": nil, "hall": {"duel"}}
	off := func(m ...string) guild.Settings {
		s := guild.Settings{Modules: map[string]bool{}}
		for _, n := range m {
			s.Modules[n] = false
		}
		return s
	}
	cases := []struct {
		name     string
		s        guild.Settings
		module   string
		on       bool
		wantErr  []string
		switches map[string]bool
		also     []string
	}{
		{"off refused by dependents", off(), "pairhome", false, []string{"duel", "hall", "raid"}, nil, nil},
		{"off allowed when dependents off", off("duel", "raid", "hall"), "pairhome", false, nil, map[string]bool{"pairhome": false}, nil},
		{"on pulls requirements", off("pairhome", "duel"), "hall", true, nil, map[string]bool{"hall": true, "duel": true, "pairhome": true}, []string{"duel", "pairhome"}},
		{"on with requirements on", off(), "duel", true, nil, map[string]bool{"duel": true}, nil},
		{"leaf off", off(), "hall", false, nil, map[string]bool{"hall": false}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := guild.PlanModuleChange(req, c.s, c.module, c.on)
			if c.wantErr != nil {
				var de *guild.DependentsError
				if !errors.As(err, &de) || !reflect.DeepEqual(de.Dependents, c.wantErr) {
					t.Fatalf("err = %v, want dependents %v", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(p.Switches, c.switches) || !reflect.DeepEqual(p.AlsoEnabled, c.also) {
				t.Fatalf("plan = %+v", p)
			}
		})
	}
}

// TestChannelHooksRunInTheChangeTransaction: a purpose's hooks see every
// change (set, move, same again, clear) with the channel before and after,
// write in the same transaction, and a failing hook rolls the change back.
func TestChannelHooksRunInTheChangeTransaction(t *testing.T) {
	t.Parallel()
	s, d := newService(t)
	ctx := context.Background()
	if _, err := d.Pool.Exec(ctx, `CREATE TABLE hook_log (n serial, guild_id bigint, from_id bigint, to_id bigint, by_id bigint)`); err != nil {
		t.Fatal(err)
	}
	var fail error
	err := s.AddChannelHooks(guild.ChannelHook{Purpose: "duel.board", OnChange: func(ctx context.Context, tx bun.Tx, c guild.ChannelChange) error {
		if c.Purpose.ID() != "duel.board" {
			t.Errorf("hook got purpose %s", c.Purpose.ID())
		}
		// The row is already written: the hook reads the new channel through its transaction.
		if ch, err := guild.ReadChannel(ctx, tx, c.GuildID, c.Purpose); err != nil || ch != c.To {
			t.Errorf("ReadChannel in the hook = %d, %v; want %d", ch, err, c.To)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO hook_log (guild_id, from_id, to_id, by_id) VALUES (?, ?, ?, ?)`,
			int64(c.GuildID), int64(c.From), int64(c.To), int64(c.By)); err != nil {
			return err
		}
		return fail
	}})
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range []uint64{10, 20, 20, 0} {
		if err := s.SetChannel(ctx, 1, 9, "duel.board", ch); err != nil {
			t.Fatal(err)
		}
	}
	// Another purpose has no hook.
	if err := s.SetChannel(ctx, 1, 9, "pairhome.rooms", 30); err != nil {
		t.Fatal(err)
	}
	fail = errors.New("hook refused")
	if err := s.SetChannel(ctx, 1, 9, "duel.board", 40); !errors.Is(err, fail) {
		t.Fatalf("failing hook: err = %v", err)
	}
	if ch, err := guild.ReadChannel(ctx, d.Bun, 1, purposes[0]); err != nil || ch != 0 {
		t.Fatalf("after the failed change the channel is %d (%v), want still unset", ch, err)
	}
	var got [][3]int64
	rows, err := d.Pool.Query(ctx, `SELECT from_id, to_id, by_id FROM hook_log ORDER BY n`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var r [3]int64
		if err := rows.Scan(&r[0], &r[1], &r[2]); err != nil {
			t.Fatal(err)
		}
		got = append(got, r)
	}
	rows.Close()
	want := [][3]int64{{0, 10, 9}, {10, 20, 9}, {20, 20, 9}, {20, 0, 9}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("hook saw %v, want %v (the failed change rolled back)", got, want)
	}
}

func TestAddChannelHooksRefusesUnknownPurposes(t *testing.T) {
	t.Parallel()
	s, _ := newService(t)
	noop := func(context.Context, bun.Tx, guild.ChannelChange) error { return nil }
	if err := s.AddChannelHooks(guild.ChannelHook{Purpose: "duel.bord", OnChange: noop}); !errors.Is(err, guild.ErrUnknownPurpose) {
		t.Fatalf("misspelt purpose: err = %v", err)
	}
	if err := s.AddChannelHooks(guild.ChannelHook{Purpose: "duel.board"}); err == nil {
		t.Fatal("a hook without OnChange was accepted")
	}
}

// RequireModule and RequireChannel refuse with the core's texts, naming the
// module, and let through what the settings allow.
func TestRequireModuleAndChannel(t *testing.T) {
	st := guild.Settings{
		Modules:  map[string]bool{"duel": false, "raid": true},
		Channels: map[string]uint64{"duel.board": 777, "raid.channel": 0},
	}
	for _, tc := range []struct {
		module string
		want   error
	}{{"duel", guild.ErrModuleOff}, {"raid", nil}, {"oracle", nil}, {guild.CoreModule, nil}} {
		err := st.RequireModule(tc.module)
		if !errors.Is(err, tc.want) {
			t.Errorf("RequireModule(%s) = %v, want %v", tc.module, err, tc.want)
		}
		if err != nil && !reflect.DeepEqual(argsOf(t, err), []any{"module", tc.module}) {
			t.Errorf("RequireModule(%s) names %v", tc.module, argsOf(t, err))
		}
	}
	if ch, err := st.RequireChannel("duel", "board"); err != nil || ch != 777 {
		t.Errorf("RequireChannel(duel.board) = %d, %v; want 777", ch, err)
	}
	for _, key := range []string{"channel", "missing"} {
		ch, err := st.RequireChannel("raid", key)
		if !errors.Is(err, guild.ErrNoChannel) || ch != 0 || !reflect.DeepEqual(argsOf(t, err), []any{"module", "raid"}) {
			t.Errorf("RequireChannel(raid.%s) = %d, %v; want 0 and ErrNoChannel naming raid", key, ch, err)
		}
	}
}

func argsOf(t *testing.T, err error) []any {
	t.Helper()
	var r *refusal.Error
	if !errors.As(err, &r) {
		t.Fatalf("%v is not a refusal", err)
	}
	return r.Args
}
