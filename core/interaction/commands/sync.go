// Package commands keeps Discord's registered slash commands equal to the
// definitions the process was built with.
//
// Sync reads what Discord has (GET), compares it field by field with the
// definitions, and bulk-overwrites (PUT) only when something differs, so an
// unchanged deploy costs one GET and creates nothing (Discord allows 200
// command creates per day per guild). SyncIfChanged adds a hash of the
// definitions stored in Postgres so `app run` skips even the GET when the
// definitions did not change since the last successful sync; it is meant to
// run once at start, never on gateway reconnects.
package commands

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/disgo/rest"
	"github.com/disgoorg/snowflake/v2"
	"github.com/jackc/pgx/v5"

	"github.com/together-bot/together/core/db"
)

// REST is the part of disgo's rest.Rest that syncing needs.
type REST interface {
	GetGlobalCommands(applicationID snowflake.ID, withLocalizations bool, opts ...rest.RequestOpt) ([]discord.ApplicationCommand, error)
	SetGlobalCommands(applicationID snowflake.ID, commandCreates []discord.ApplicationCommandCreate, opts ...rest.RequestOpt) ([]discord.ApplicationCommand, error)
	GetGuildCommands(applicationID snowflake.ID, guildID snowflake.ID, withLocalizations bool, opts ...rest.RequestOpt) ([]discord.ApplicationCommand, error)
	SetGuildCommands(applicationID snowflake.ID, guildID snowflake.ID, commands []discord.ApplicationCommandCreate, opts ...rest.RequestOpt) ([]discord.ApplicationCommand, error)
}

// Diff is what a sync changed (or would change).
type Diff struct {
	Added, Removed, Changed []string
	Unchanged               int
	// Written is true when the bulk overwrite was sent.
	Written bool
}

// Empty reports no difference.
func (d Diff) Empty() bool { return len(d.Added)+len(d.Removed)+len(d.Changed) == 0 }

// String is the one line printed by `app commands sync`.
func (d Diff) String() string {
	if d.Empty() {
		return fmt.Sprintf("commands up to date (%d unchanged)", d.Unchanged)
	}
	var parts []string
	add := func(label string, names []string) {
		if len(names) > 0 {
			parts = append(parts, label+" "+strings.Join(names, ", "))
		}
	}
	add("added", d.Added)
	add("changed", d.Changed)
	add("removed", d.Removed)
	return strings.Join(parts, "; ") + fmt.Sprintf(" (%d unchanged)", d.Unchanged)
}

// Sync makes Discord's commands (global, or one guild's when guildID is
// set) equal to defs.
func Sync(ctx context.Context, r REST, appID snowflake.ID, guildID *snowflake.ID, defs []discord.ApplicationCommandCreate) (Diff, error) {
	var (
		have []discord.ApplicationCommand
		err  error
	)
	if guildID != nil {
		have, err = r.GetGuildCommands(appID, *guildID, true, rest.WithCtx(ctx))
	} else {
		have, err = r.GetGlobalCommands(appID, true, rest.WithCtx(ctx))
	}
	if err != nil {
		return Diff{}, fmt.Errorf("read registered commands: %w", err)
	}
	diff, err := Compare(defs, have)
	if err != nil {
		return Diff{}, err
	}
	if diff.Empty() {
		return diff, nil
	}
	if defs == nil {
		defs = []discord.ApplicationCommandCreate{}
	}
	if guildID != nil {
		_, err = r.SetGuildCommands(appID, *guildID, defs, rest.WithCtx(ctx))
	} else {
		_, err = r.SetGlobalCommands(appID, defs, rest.WithCtx(ctx))
	}
	if err != nil {
		return diff, fmt.Errorf("overwrite commands (%s): %w", diff, err)
	}
	diff.Written = true
	return diff, nil
}

// Compare diffs definitions against registered commands by (type, name).
func Compare(defs []discord.ApplicationCommandCreate, have []discord.ApplicationCommand) (Diff, error) {
	want, err := byKey(defs)
	if err != nil {
		return Diff{}, err
	}
	got, err := byKey(have)
	if err != nil {
		return Diff{}, err
	}
	var d Diff
	for k, w := range want {
		g, ok := got[k]
		switch {
		case !ok:
			d.Added = append(d.Added, label(k))
		case !same(w, g, true):
			d.Changed = append(d.Changed, label(k))
		default:
			d.Unchanged++
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			d.Removed = append(d.Removed, label(k))
		}
	}
	sort.Strings(d.Added)
	sort.Strings(d.Changed)
	sort.Strings(d.Removed)
	return d, nil
}

// Hash identifies a set of definitions (order-independent).
func Hash(defs []discord.ApplicationCommandCreate) (string, error) {
	raws := make([]string, 0, len(defs))
	for _, d := range defs {
		b, err := json.Marshal(d)
		if err != nil {
			return "", fmt.Errorf("encode command: %w", err)
		}
		raws = append(raws, string(b))
	}
	sort.Strings(raws)
	sum := sha256.Sum256([]byte(strings.Join(raws, "\n")))
	return hex.EncodeToString(sum[:]), nil
}

// SyncIfChanged syncs only when the definitions' hash differs from the one
// stored for this scope after the last successful sync.
//
// endpoint names the API the commands live on (DISCORD_API_URL): the stored
// hash only vouches for that one, so a fresh emulator (or a move to a REST
// proxy with other state) is synced again.
func SyncIfChanged(ctx context.Context, d *db.DB, r REST, endpoint string, appID snowflake.ID, guildID *snowflake.ID, defs []discord.ApplicationCommandCreate) (Diff, bool, error) {
	hash, err := Hash(defs)
	if err != nil {
		return Diff{}, false, err
	}
	scope := endpoint + " global"
	if guildID != nil {
		scope = endpoint + " guild:" + guildID.String()
	}
	var stored string
	err = d.Pool.QueryRow(ctx, `SELECT hash FROM core_command_sync WHERE scope = $1 AND app_id = $2`, scope, int64(appID)).Scan(&stored)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return Diff{}, false, fmt.Errorf("read command hash: %w", err)
	}
	if stored == hash {
		return Diff{}, false, nil
	}
	diff, err := Sync(ctx, r, appID, guildID, defs)
	if err != nil {
		return diff, false, err
	}
	_, err = d.Pool.Exec(ctx, `INSERT INTO core_command_sync (scope, app_id, hash) VALUES ($1, $2, $3)
		ON CONFLICT (scope) DO UPDATE SET app_id = EXCLUDED.app_id, hash = EXCLUDED.hash, synced_at = now()`,
		scope, int64(appID), hash)
	if err != nil {
		return diff, true, fmt.Errorf("store command hash: %w", err)
	}
	return diff, true, nil
}

func toMap(v any) (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode command: %w", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("decode command: %w", err)
	}
	if _, ok := m["type"]; !ok {
		m["type"] = float64(discord.ApplicationCommandTypeSlash)
	}
	// disgo decodes a registered command's null default_member_permissions
	// as 0 and cannot tell them apart, so "0" is read as "not set". The core
	// never registers an explicit 0 (staff commands use Manage Server).
	if p, ok := m["default_member_permissions"]; ok && (p == "0" || p == nil) {
		delete(m, "default_member_permissions")
	}
	return m, nil
}

// byKey is commands (definitions or registered ones) as JSON maps by key,
// so both sides compare field by field.
func byKey[T any](commands []T) (map[string]map[string]any, error) {
	out := make(map[string]map[string]any, len(commands))
	for _, c := range commands {
		m, err := toMap(c)
		if err != nil {
			return nil, err
		}
		out[key(m)] = m
	}
	return out, nil
}

func key(m map[string]any) string { return fmt.Sprintf("%v/%v", m["type"], m["name"]) }

func label(k string) string {
	t, name, _ := strings.Cut(k, "/")
	if t == fmt.Sprint(float64(discord.ApplicationCommandTypeSlash)) || t == "1" {
		return "/" + name
	}
	return name + " (type " + t + ")"
}

// compared lists the fields that define a command or option; server-side
// fields (id, version, application_id…) are ignored. A field absent on one
// side equals its zero value on the other, because Discord omits defaults.
var compared = []string{
	"type", "name", "name_localizations", "description", "description_localizations", "options",
	"default_member_permissions", "contexts", "nsfw", "required", "choices", "channel_types",
	"min_value", "max_value", "min_length", "max_length", "autocomplete", "value",
}

func same(want, got any, top bool) bool {
	switch w := want.(type) {
	case map[string]any:
		g, _ := got.(map[string]any)
		if g == nil {
			return isZero(w)
		}
		keys := compared
		if !top {
			// Localization maps and choice values compare every key.
			keys = nil
			for k := range w {
				keys = append(keys, k)
			}
			for k := range g {
				keys = append(keys, k)
			}
		}
		if top || isOption(w) {
			keys = compared
			if _, ok := w["integration_types"]; ok {
				keys = append(keys, "integration_types")
			}
		}
		for _, k := range keys {
			if !same(w[k], g[k], false) {
				return false
			}
		}
		return true
	case []any:
		g, _ := got.([]any)
		if len(w) != len(g) {
			return false
		}
		for i := range w {
			if !same(w[i], g[i], false) {
				return false
			}
		}
		return true
	default:
		if isZero(want) && isZero(got) {
			return true
		}
		return reflect.DeepEqual(want, got)
	}
}

func isOption(m map[string]any) bool {
	_, hasName := m["name"]
	_, hasType := m["type"]
	return hasName && hasType
}

func isZero(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case bool:
		return !x
	case string:
		return x == ""
	case float64:
		return x == 0
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	}
	return false
}
