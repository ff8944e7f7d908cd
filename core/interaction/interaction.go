// Package interaction routes Discord interactions (slash commands, buttons,
// selects, modals) to the handlers modules contribute, with one set of rules
// applied to all of them:
//
//   - a module turned off in the guild refuses its commands, components and
//     modals with a localized message (jobs are gated by core/queue with the
//     same guild.Service);
//   - staff routes are checked at run time from the interaction's member
//     (Administrator or the guild's moderator role), never from a custom id;
//   - malformed, truncated or altered custom ids, and interactions that do
//     not match their component's declared type, arguments or select
//     values, are refused with a localized ephemeral reply and a log line,
//     never a panic or silence;
//   - every handler gets the 3-second deadline covered: when it has not
//     answered after ~1.5 s the router defers for it;
//   - errors are mapped once: a refusal.Error → its localized text, a database
//     outage → "temporarily unavailable", anything else → "something went
//     wrong, reference <id>" plus an error log carrying that id.
package interaction

import (
	"context"
	"errors"
	"time"

	"github.com/disgoorg/disgo/discord"

	"github.com/together-bot/together/core/customid"
	"github.com/together-bot/together/core/refusal"
)

// Command is a slash command a module contributes (point Commands).
// Subcommands and groups live in Definition. A command whose subcommands
// each have their own handler declares them in Subcommands; Handle serves a
// command without subcommands, or one whose subcommands share their work
// (it reads c.CommandPath(): "config show", "duel round start").
type Command struct {
	Module     string
	Definition discord.SlashCommandCreate
	// Staff commands are hidden from members without Manage Server
	// (default_member_permissions), guild-only, and re-checked at run time.
	Staff bool
	// Ephemeral makes the automatic defer (and so the reply that follows it)
	// visible only to the user.
	Ephemeral bool
	// AllowDM lets a non-staff command run outside guilds.
	AllowDM bool
	Handle  func(*Context) error
	// Subcommands, instead of Handle, maps each path of Definition ("pair
	// create") to its handler. The router refuses to start when a path has
	// no handler or a handler names no path, and answers a path it does not
	// know (a client with stale commands) with ErrUnknownAction.
	Subcommands map[string]func(*Context) error
}

// Component handles buttons and selects whose custom id names Module and
// Action (point Components). Before Handle runs, the router checks that the
// interaction came from a component of Type, that the id carries exactly
// Args, and (selects) that the values fit Values; anything else gets the
// localized "out of date or damaged" refusal. Handle can therefore read
// its arguments with id.Int64/id.Uint64 and trust a select's values.
type Component struct {
	Module, Action string
	// Type is the component the id is rendered on: a button or one of the
	// selects. Required; the router refuses to start without it.
	Type discord.ComponentType
	// Args are the id's arguments in order, each built by a customid
	// constructor (ID64, Snowflake, Int, OneOf, Custom).
	Args []customid.Arg
	// Values bound what a select sends; required for selects, empty for
	// buttons.
	Values Values
	Staff  bool
	Handle func(*Context, customid.ID) error
}

// Button declares a member button of module's action whose id carries args
// (set Staff on the result for a staff-only one).
func Button(module, action string, handle func(*Context, customid.ID) error, args ...customid.Arg) Component {
	return Component{Module: module, Action: action, Type: discord.ComponentTypeButton, Args: args, Handle: handle}
}

// Values describe a select's acceptable answer: between Min and Max values
// (the select's min_values and max_values), each passing Each. Each is
// required for string selects and must be empty for user, role,
// mentionable and channel selects, whose values Discord ids already are.
type Values struct {
	Min, Max int
	Each     customid.Arg
}

// Modal handles modal submissions whose custom id names Module and Action
// (point Modals). Args are checked like a Component's.
type Modal struct {
	Module, Action string
	Args           []customid.Arg
	Staff          bool
	Handle         func(*Context, customid.ID) error
}

// ErrUnavailable marks a dependency outage; wrap it to get the localized
// "temporarily unavailable" reply instead of the generic failure.
var ErrUnavailable = errors.New("temporarily unavailable")

// Refusals the router gives and handlers return as they are.
var (
	// ErrUnknownAction: a command path or action nothing handles (any more).
	ErrUnknownAction = refusal.New("core.error.unknown_action")
	// ErrStaffOnly: staff work asked for by a member who is not staff.
	ErrStaffOnly = refusal.New("core.error.staff_only")
)

// Dashboard is one live message a module keeps up to date.
type Dashboard struct {
	Module      string
	Name        string
	ChannelID   uint64
	MessageID   uint64
	LastEditAt  time.Time
	LastError   string
	LastErrorAt time.Time
}

// Setting is a per-guild option of a module that staff change with
// `/config setting name:<module.key> value:<v>` and read in `/config show`
// (point Settings).
type Setting struct {
	Module  string
	Key     string // unique within the module, [a-z_]
	NameKey string // i18n key of the label
	// Values are the accepted values, checked by /config and shown to staff;
	// empty for free-form values, which Set checks (returning a Refuse).
	Values []string
	Get    func(ctx context.Context, guildID uint64) (string, error)
	Set    func(ctx context.Context, guildID, by uint64, value string) error
}

// ID is "module.key", the setting's name in /config.
func (s Setting) ID() string { return s.Module + "." + s.Key }

// StatusSection adds a module's lines to /admin status (point
// StatusSections), e.g. posts held while the module is off. Lines reads
// Postgres only, so the report stays fast; texts come from c.T.
type StatusSection struct {
	Module string
	Lines  func(c *Context) ([]string, error)
}

// DashboardLister is implemented by core/projection; /admin status and doctor
// report dashboards through it when it is provided.
type DashboardLister interface {
	Dashboards(ctx context.Context, guildID uint64) ([]Dashboard, error)
}

// route is what the router needs of any contribution.
type route struct {
	module, action string
	staff          bool
	ephemeral      bool
	allowDM        bool
}
