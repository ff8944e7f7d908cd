// Package guild stores the per-guild settings every module shares: locale,
// timezone, moderator role, which modules are on and which channel serves
// each declared purpose.
//
// Defaults: a module is ON in a guild unless an admin turned it off (only
// explicit switches are stored). Locale and timezone are empty until set;
// callers fall back to the Discord guild locale / DEFAULT_LOCALE and
// DEFAULT_TIMEZONE.
//
// Module-specific settings do not go here: a module keeps them in its own
// tables with explicit columns, so every setting has a type, a migration and
// an owner.
//
// Caching: Settings are read through a per-process cache with a short TTL
// (5 s). Every write issues pg_notify('core_guild_settings', guild_id) in the
// same transaction, and Service.Listen drops the entry in every replica, so
// a change is seen everywhere at once; the TTL only bounds staleness if a
// notification is lost (listener reconnecting). When Postgres cannot be
// reached, the last cached value is served (stale) rather than failing the
// gate for every click.
package guild

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/disgoorg/disgo/discord"
	"github.com/jackc/pgx/v5"
	"github.com/uptrace/bun"

	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/i18n"
	"github.com/together-bot/together/core/module"
	"github.com/together-bot/together/core/refusal"
)

// CoreModule is always on and cannot be turned off.
const CoreModule = "core"

// notifyChannel is the LISTEN/NOTIFY channel carrying changed guild ids.
const notifyChannel = "core_guild_settings"

// DefaultTTL bounds how stale a cached Settings may be.
const DefaultTTL = 5 * time.Second

// ChannelKind is the Discord channel type a purpose expects.
type ChannelKind int

const (
	Text ChannelKind = iota
	Category
)

// ChannelPurpose is a channel a module needs configured, contributed through
// the point Purposes.
type ChannelPurpose struct {
	Module string
	Key    string // unique within the module, [a-z0-9_-]
	// NameKey is the i18n key of the purpose's label.
	NameKey string
	Kind    ChannelKind
	// Required: the module cannot work in the guild without it (doctor FAILs).
	Required bool
	// Permissions the bot needs in that channel; zero means the kind's
	// default (see NeededPermissions). /admin doctor checks them.
	Permissions discord.Permissions
	// TestPost: /setup sends a test message there.
	TestPost bool
}

// Default permissions the bot needs in a purpose's channel.
const (
	DefaultTextPermissions = discord.PermissionViewChannel | discord.PermissionSendMessages |
		discord.PermissionEmbedLinks | discord.PermissionReadMessageHistory
	DefaultCategoryPermissions = discord.PermissionViewChannel | discord.PermissionManageChannels
)

// NeededPermissions is Permissions or the kind's default.
func (p ChannelPurpose) NeededPermissions() discord.Permissions {
	switch {
	case p.Permissions != 0:
		return p.Permissions
	case p.Kind == Category:
		return DefaultCategoryPermissions
	default:
		return DefaultTextPermissions
	}
}

// ID is "module.key", the stable name of a purpose in settings and ids.
func (p ChannelPurpose) ID() string { return p.Module + "." + p.Key }

// Settings is one guild's settings. The zero value means "nothing set".
type Settings struct {
	GuildID         uint64
	Locale          string // "" = not set
	Timezone        string // "" = not set
	ModeratorRoleID uint64
	// Modules holds explicit switches only; see ModuleOn.
	Modules map[string]bool
	// Channels maps ChannelPurpose.ID() to a channel id.
	Channels map[string]uint64
	// Exists is false when the guild has no settings row at all.
	Exists bool
}

// ModuleOn applies the default: on unless switched off; core always on.
func (s Settings) ModuleOn(module string) bool {
	if module == CoreModule {
		return true
	}
	on, set := s.Modules[module]
	return on || !set
}

// Channel returns the channel configured for a module's purpose.
func (s Settings) Channel(module, key string) (uint64, bool) {
	id, ok := s.Channels[module+"."+key]
	return id, ok && id != 0
}

// Refusals of work a guild's settings rule out, whichever module asks; their
// texts are the core's (interaction.Catalog) and name the module. Callers
// get them from RequireModule and RequireChannel and compare with errors.Is.
var (
	ErrModuleOff = refusal.New("core.error.module_off")
	ErrNoChannel = refusal.New("core.error.no_channel")
)

// RequireModule is nil when the module is on, else ErrModuleOff naming it.
func (s Settings) RequireModule(module string) error {
	if !s.ModuleOn(module) {
		return ErrModuleOff.With("module", module)
	}
	return nil
}

// RequireChannel is the channel configured for a module's purpose, or
// ErrNoChannel naming the module when none is set.
func (s Settings) RequireChannel(module, key string) (uint64, error) {
	id, ok := s.Channel(module, key)
	if !ok {
		return 0, ErrNoChannel.With("module", module)
	}
	return id, nil
}

// Location returns the guild's zone or def.
func (s Settings) Location(def *time.Location) *time.Location {
	if s.Timezone != "" {
		if loc, err := loadZone(s.Timezone); err == nil {
			return loc
		}
	}
	return def
}

// zones caches loaded zones: time.LoadLocation reads tzdata from disk on every
// call, and Location runs for every render and job of every guild.
var zones sync.Map

func loadZone(name string) (*time.Location, error) {
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	zones.Store(name, loc)
	return loc, nil
}

// Errors returned by setters.
var (
	ErrBadTimezone    = errors.New("unknown IANA time zone")
	ErrBadLocale      = errors.New("unsupported locale")
	ErrUnknownPurpose = errors.New("unknown channel purpose")
	ErrCoreAlwaysOn   = errors.New("the core module cannot be turned off")
)

// Service reads and writes guild settings.
type Service struct {
	db       *db.DB
	log      *slog.Logger
	ttl      time.Duration
	purposes []ChannelPurpose
	now      func() time.Time
	// defLocale and defZone are the deployment's DEFAULT_LOCALE and
	// DEFAULT_TIMEZONE, used where a guild set none.
	defLocale string
	defZone   *time.Location

	mu    sync.Mutex
	cache map[uint64]cached
	// hooks run when a purpose's channel changes, by purpose id.
	hooks map[string][]ChannelHook
}

type cached struct {
	s  Settings
	at time.Time
}

// NewService builds the service; purposes come from every selected module.
func NewService(d *db.DB, log *slog.Logger, purposes []ChannelPurpose) (*Service, error) {
	if log == nil {
		log = slog.Default()
	}
	seen := map[string]bool{}
	for _, p := range purposes {
		if p.Module == "" || p.Key == "" || strings.ContainsAny(p.Key, ".: ") {
			return nil, fmt.Errorf("channel purpose %q of module %q: module and key are required, key without '.', ':' or spaces", p.Key, p.Module)
		}
		if seen[p.ID()] {
			return nil, fmt.Errorf("channel purpose %s declared twice", p.ID())
		}
		seen[p.ID()] = true
	}
	ps := slices.Clone(purposes)
	sort.Slice(ps, func(i, j int) bool { return ps[i].ID() < ps[j].ID() })
	return &Service{db: d, log: log, ttl: DefaultTTL, purposes: ps, now: time.Now, cache: map[uint64]cached{},
		defLocale: i18n.EN, defZone: time.UTC}, nil
}

// SetDefaults sets the deployment's locale and timezone, used for guilds that
// chose none (DEFAULT_LOCALE, DEFAULT_TIMEZONE). An empty locale or nil zone
// keeps the built-in default (en, UTC).
func (s *Service) SetDefaults(locale string, zone *time.Location) {
	if l := i18n.Normalize(locale); l != "" {
		s.defLocale = l
	}
	if zone != nil {
		s.defZone = zone
	}
}

// Locale is the guild's language: its /config locale, else the deployment
// default. It is the one place modules read a guild's locale from. While
// Postgres is unreachable and nothing is cached it answers the default.
func (s *Service) Locale(ctx context.Context, guildID uint64) string {
	st, err := s.Settings(ctx, guildID)
	if err != nil {
		s.log.Warn("guild locale unavailable; using the default", "guild_id", guildID, "error", err)
		return s.defLocale
	}
	return i18n.Resolve(st.Locale, "", s.defLocale)
}

// Location is the guild's timezone: its /config timezone, else the
// deployment default. Like Locale, it falls back to the default when
// Postgres is unreachable.
func (s *Service) Location(ctx context.Context, guildID uint64) *time.Location {
	st, err := s.Settings(ctx, guildID)
	if err != nil {
		s.log.Warn("guild timezone unavailable; using the default", "guild_id", guildID, "error", err)
		return s.defZone
	}
	return st.Location(s.defZone)
}

// DefaultLocation is the deployment's timezone, for guilds that set none.
func (s *Service) DefaultLocation() *time.Location { return s.defZone }

// DefaultLocale is the deployment's locale, for texts tied to no guild.
func (s *Service) DefaultLocale() string { return s.defLocale }

// SetTTL changes the cache lifetime (tests use 0 to always read through).
func (s *Service) SetTTL(ttl time.Duration) { s.ttl = ttl }

// Purposes lists every declared channel purpose, sorted by ID.
func (s *Service) Purposes() []ChannelPurpose { return slices.Clone(s.purposes) }

// Purpose finds one by "module.key".
func (s *Service) Purpose(id string) (ChannelPurpose, bool) {
	for _, p := range s.purposes {
		if p.ID() == id {
			return p, true
		}
	}
	return ChannelPurpose{}, false
}

// Settings returns the guild's settings, from the cache when fresh.
func (s *Service) Settings(ctx context.Context, guildID uint64) (Settings, error) {
	s.mu.Lock()
	c, ok := s.cache[guildID]
	s.mu.Unlock()
	if ok && s.now().Sub(c.at) < s.ttl {
		return cloneSettings(c.s), nil
	}
	fresh, err := s.load(ctx, guildID)
	if err != nil {
		if ok {
			s.log.Warn("guild settings unavailable; serving cached copy", "guild_id", guildID,
				"age_ms", s.now().Sub(c.at).Milliseconds(), "error", err)
			return cloneSettings(c.s), nil
		}
		return Settings{}, err
	}
	s.mu.Lock()
	s.cache[guildID] = cached{s: fresh, at: s.now()}
	s.mu.Unlock()
	return cloneSettings(fresh), nil
}

// ModuleEnabled implements core/queue.Gate and the interaction gate.
func (s *Service) ModuleEnabled(ctx context.Context, module string, guildID uint64) (bool, error) {
	if module == CoreModule || module == "" {
		return true, nil
	}
	st, err := s.Settings(ctx, guildID)
	if err != nil {
		return false, err
	}
	return st.ModuleOn(module), nil
}

// Invalidate drops one guild from this process's cache.
func (s *Service) Invalidate(guildID uint64) {
	s.mu.Lock()
	delete(s.cache, guildID)
	s.mu.Unlock()
}

func (s *Service) load(ctx context.Context, guildID uint64) (Settings, error) {
	st := Settings{GuildID: guildID, Modules: map[string]bool{}, Channels: map[string]uint64{}}
	gid := int64(guildID)
	var locale, tz *string
	var role *int64
	err := s.db.Pool.QueryRow(ctx, `SELECT locale, timezone, moderator_role_id FROM core_guild_settings WHERE guild_id = $1`, gid).
		Scan(&locale, &tz, &role)
	switch {
	case err == nil:
		st.Exists = true
		if locale != nil {
			st.Locale = *locale
		}
		if tz != nil {
			st.Timezone = *tz
		}
		if role != nil {
			st.ModeratorRoleID = uint64(*role)
		}
	case errors.Is(err, pgx.ErrNoRows):
	default:
		return Settings{}, fmt.Errorf("read guild %d settings: %w", guildID, err)
	}
	rows, err := s.db.Pool.Query(ctx, `SELECT module, enabled FROM core_guild_modules WHERE guild_id = $1`, gid)
	if err != nil {
		return Settings{}, fmt.Errorf("read guild %d modules: %w", guildID, err)
	}
	for rows.Next() {
		var m string
		var on bool
		if err := rows.Scan(&m, &on); err != nil {
			rows.Close()
			return Settings{}, fmt.Errorf("scan guild module: %w", err)
		}
		st.Modules[m] = on
		st.Exists = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Settings{}, fmt.Errorf("read guild %d modules: %w", guildID, err)
	}
	rows, err = s.db.Pool.Query(ctx, `SELECT module, purpose, channel_id FROM core_guild_channels WHERE guild_id = $1`, gid)
	if err != nil {
		return Settings{}, fmt.Errorf("read guild %d channels: %w", guildID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var m, p string
		var ch int64
		if err := rows.Scan(&m, &p, &ch); err != nil {
			return Settings{}, fmt.Errorf("scan guild channel: %w", err)
		}
		st.Channels[m+"."+p] = uint64(ch)
		st.Exists = true
	}
	if err := rows.Err(); err != nil {
		return Settings{}, fmt.Errorf("read guild %d channels: %w", guildID, err)
	}
	return st, nil
}

// write runs fn in a transaction that ends with a change notification, then
// drops the local cache entry. The transaction is a bun.Tx so that channel
// hooks can request projections and insert jobs in it.
func (s *Service) write(ctx context.Context, guildID uint64, fn func(ctx context.Context, tx bun.Tx) error) error {
	err := s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := fn(ctx, tx); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `SELECT pg_notify(?, ?)`, notifyChannel, strconv.FormatUint(guildID, 10))
		return err
	})
	s.Invalidate(guildID)
	return err
}

// setColumn writes one column of the guild's settings row as a change of
// its own (see write).
func (s *Service) setColumn(ctx context.Context, guildID, by uint64, column string, value any) error {
	return s.write(ctx, guildID, func(ctx context.Context, tx bun.Tx) error {
		// column is one of a fixed set chosen by this package, never user input.
		_, err := tx.ExecContext(ctx, `INSERT INTO core_guild_settings (guild_id, `+column+`, updated_by) VALUES (?, ?, ?)
			ON CONFLICT (guild_id) DO UPDATE SET `+column+` = EXCLUDED.`+column+`, updated_at = now(), updated_by = EXCLUDED.updated_by`,
			int64(guildID), value, nullID(by))
		if err != nil {
			return fmt.Errorf("set guild %d %s: %w", guildID, column, err)
		}
		return nil
	})
}

// SetLocale sets "en" or "ru"; "" clears it (follow Discord's guild locale).
func (s *Service) SetLocale(ctx context.Context, guildID, by uint64, locale string) error {
	var v any
	if locale != "" {
		if i18n.Normalize(locale) != locale {
			return fmt.Errorf("%w: %q", ErrBadLocale, locale)
		}
		v = locale
	}
	return s.setColumn(ctx, guildID, by, "locale", v)
}

// maxZoneLen bounds a zone name; the longest tzdata name is about 30.
const maxZoneLen = 64

// SetTimezone sets a tzdata zone ("Europe/Berlin", "UTC", "EST5EDT"); ""
// clears it. "Local" is refused: it means the server's zone, not the guild's.
func (s *Service) SetTimezone(ctx context.Context, guildID, by uint64, zone string) error {
	var v any
	if zone != "" {
		if len(zone) > maxZoneLen || zone == "Local" {
			return fmt.Errorf("%w: %.64q", ErrBadTimezone, zone)
		}
		if _, err := loadZone(zone); err != nil {
			return fmt.Errorf("%w: %q", ErrBadTimezone, zone)
		}
		v = zone
	}
	return s.setColumn(ctx, guildID, by, "timezone", v)
}

// SetModeratorRole sets the role that counts as staff; 0 clears it.
func (s *Service) SetModeratorRole(ctx context.Context, guildID, by, roleID uint64) error {
	return s.setColumn(ctx, guildID, by, "moderator_role_id", nullID(roleID))
}

// SetModules stores explicit switches for several modules in one transaction
// (turning one on may turn on its requirements too).
func (s *Service) SetModules(ctx context.Context, guildID, by uint64, switches map[string]bool) error {
	if on, ok := switches[CoreModule]; ok && !on {
		return ErrCoreAlwaysOn
	}
	names := slices.Sorted(maps.Keys(switches))
	return s.write(ctx, guildID, func(ctx context.Context, tx bun.Tx) error {
		for _, m := range names {
			if m == CoreModule {
				continue
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO core_guild_modules (guild_id, module, enabled, updated_by) VALUES (?, ?, ?, ?)
				ON CONFLICT (guild_id, module) DO UPDATE SET enabled = EXCLUDED.enabled, updated_at = now(), updated_by = EXCLUDED.updated_by`,
				int64(guildID), m, switches[m], nullID(by))
			if err != nil {
				return fmt.Errorf("set guild %d module %s: %w", guildID, m, err)
			}
		}
		return nil
	})
}

// SetModule switches one module (no requirement handling; see PlanModuleChange).
func (s *Service) SetModule(ctx context.Context, guildID, by uint64, module string, on bool) error {
	return s.SetModules(ctx, guildID, by, map[string]bool{module: on})
}

// SetChannel stores the channel for a declared purpose ("module.key"); 0
// clears it. It is the one place a purpose's channel changes: the purpose's
// ChannelHooks run in the same transaction, so a dashboard requested there
// is refreshed exactly when the change commits.
func (s *Service) SetChannel(ctx context.Context, guildID, by uint64, purposeID string, channelID uint64) error {
	p, ok := s.Purpose(purposeID)
	if !ok {
		return fmt.Errorf("%w: %q", ErrUnknownPurpose, purposeID)
	}
	s.mu.Lock()
	hooks := s.hooks[purposeID]
	s.mu.Unlock()
	return s.write(ctx, guildID, func(ctx context.Context, tx bun.Tx) error {
		change := ChannelChange{GuildID: guildID, Purpose: p, To: channelID, By: by}
		var from int64
		err := tx.QueryRowContext(ctx, `SELECT channel_id FROM core_guild_channels WHERE guild_id = ? AND module = ? AND purpose = ? FOR UPDATE`,
			int64(guildID), p.Module, p.Key).Scan(&from)
		switch {
		case err == nil:
			change.From = uint64(from)
		case db.IsNoRows(err):
		default:
			return fmt.Errorf("read guild %d channel %s: %w", guildID, purposeID, err)
		}
		if channelID == 0 {
			_, err = tx.ExecContext(ctx, `DELETE FROM core_guild_channels WHERE guild_id = ? AND module = ? AND purpose = ?`,
				int64(guildID), p.Module, p.Key)
		} else {
			_, err = tx.ExecContext(ctx, `INSERT INTO core_guild_channels (guild_id, module, purpose, channel_id, updated_by) VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (guild_id, module, purpose) DO UPDATE SET channel_id = EXCLUDED.channel_id, updated_at = now(), updated_by = EXCLUDED.updated_by`,
				int64(guildID), p.Module, p.Key, int64(channelID), nullID(by))
		}
		if err != nil {
			return fmt.Errorf("set guild %d channel %s: %w", guildID, purposeID, err)
		}
		for _, h := range hooks {
			if err := h.OnChange(ctx, tx, change); err != nil {
				return fmt.Errorf("guild %d channel %s: hook of %s: %w", guildID, purposeID, p.Module, err)
			}
		}
		return nil
	})
}

// ChannelChange is one change of a purpose's channel, as its hooks see it.
type ChannelChange struct {
	GuildID uint64
	Purpose ChannelPurpose
	// From and To are the channel before and after; 0 means not set. They
	// may be equal: setting the same channel again runs the hooks too, which
	// brings back a dashboard someone deleted by hand.
	From, To uint64
	// By is the staff member, 0 for the operator.
	By uint64
}

// ChannelHook lets the module that owns a purpose act in the transaction
// that changes the purpose's channel, typically by requesting the
// projections of the dashboards that live there (and creating what they
// show if nothing exists yet). It runs whether or not the module is on in
// the guild: the projection worker's gate holds a dashboard back until the
// module is on. An error rolls the change back.
type ChannelHook struct {
	Purpose  string // ChannelPurpose.ID() of a purpose the module declared
	OnChange func(ctx context.Context, tx bun.Tx, c ChannelChange) error
}

// AddChannelHooks registers hooks. The runtime calls it with every
// contribution to ChannelHooks once the Service exists, so a hook may come
// from a module service that itself needs the Service.
func (s *Service) AddChannelHooks(hooks ...ChannelHook) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, h := range hooks {
		if _, ok := s.Purpose(h.Purpose); !ok {
			return fmt.Errorf("%w: channel hook for %q", ErrUnknownPurpose, h.Purpose)
		}
		if h.OnChange == nil {
			return fmt.Errorf("channel hook for %s has no OnChange", h.Purpose)
		}
		if s.hooks == nil {
			s.hooks = map[string][]ChannelHook{}
		}
		s.hooks[h.Purpose] = append(s.hooks[h.Purpose], h)
	}
	return nil
}

// ReadChannel reads the purpose's channel through idb. A renderer uses it
// instead of the cached Settings: its snapshot then sees the channel change
// that requested the render, in every process, with no cache in between.
func ReadChannel(ctx context.Context, idb bun.IDB, guildID uint64, p ChannelPurpose) (uint64, error) {
	var ch int64
	err := idb.QueryRowContext(ctx, `SELECT channel_id FROM core_guild_channels WHERE guild_id = ? AND module = ? AND purpose = ?`,
		int64(guildID), p.Module, p.Key).Scan(&ch)
	if db.IsNoRows(err) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read guild %d channel %s: %w", guildID, p.ID(), err)
	}
	return uint64(ch), nil
}

// Listen drops cache entries named by other replicas' notifications until ctx
// ends, reconnecting after errors. Run it in a goroutine for the process
// lifetime. While it is disconnected the TTL still bounds staleness.
func (s *Service) Listen(ctx context.Context) {
	for ctx.Err() == nil {
		err := s.listenOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		s.log.Warn("guild settings listener stopped; retrying", "error", err)
		// Anything may have changed while we were not listening.
		s.mu.Lock()
		clear(s.cache)
		s.mu.Unlock()
		select {
		case <-ctx.Done():
			return
		case <-time.After(2 * time.Second):
		}
	}
}

func (s *Service) listenOnce(ctx context.Context) error {
	conn, err := s.db.Pool.Acquire(ctx)
	if err != nil {
		return err
	}
	// The connection carries LISTEN state and may be mid-wait when ctx ends:
	// close it rather than hand it back to the pool.
	defer func() {
		closeCtx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = conn.Conn().Close(closeCtx)
		conn.Release()
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+notifyChannel); err != nil {
		return err
	}
	for {
		n, err := conn.Conn().WaitForNotification(ctx)
		if err != nil {
			return err
		}
		if id, err := strconv.ParseUint(n.Payload, 10, 64); err == nil {
			s.Invalidate(id)
		}
	}
}

func nullID(id uint64) any {
	if id == 0 {
		return nil
	}
	return int64(id)
}

func cloneSettings(s Settings) Settings {
	s.Modules = maps.Clone(s.Modules)
	s.Channels = maps.Clone(s.Channels)
	if s.Modules == nil {
		s.Modules = map[string]bool{}
	}
	if s.Channels == nil {
		s.Channels = map[string]uint64{}
	}
	return s
}

// Purposes is the extension point for the channels a module needs configured.
var Purposes = module.NewPoint[ChannelPurpose]("channel purposes")

// ChannelHooks is the extension point for what a module does when one of its
// purposes' channel is set, moved or cleared (see ChannelHook).
var ChannelHooks = module.NewPoint[ChannelHook]("channel hooks")
