package interaction

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/disgoorg/disgo/bot"
	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/disgo/events"
	"github.com/disgoorg/disgo/httpserver"
	"github.com/disgoorg/disgo/rest"
	"github.com/disgoorg/omit"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/puddle/v2"

	"github.com/together-bot/together/core/ctxtime"
	"github.com/together-bot/together/core/customid"
	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/guild"
	"github.com/together-bot/together/core/i18n"
	"github.com/together-bot/together/core/refusal"
)

// SettingsSource is what the router reads guild settings from (guild.Service).
type SettingsSource interface {
	Settings(ctx context.Context, guildID uint64) (guild.Settings, error)
}

// Options build a Router.
type Options struct {
	// Observer records each interaction's outcome and ACK time (ops.Metrics).
	Observer   Observer
	Commands   []Command
	Components []Component
	Modals     []Modal
	Settings   SettingsSource
	Bundle     *i18n.Bundle
	DB         *db.DB
	// REST is the full client handed to handlers; Interactions defaults to it.
	REST         rest.Rest
	Interactions rest.Interactions
	Log          *slog.Logger
	// DefaultLocale is DEFAULT_LOCALE.
	DefaultLocale string
	// AutoDeferAfter: when a handler has not answered by then, the router
	// defers for it (default 1.5 s, half of Discord's 3 s).
	AutoDeferAfter time.Duration
	// SettingsTimeout bounds the gate's settings read so an outage is
	// answered well within 3 s (default 1.2 s).
	SettingsTimeout time.Duration
}

// Router is the single bot.EventListener for interactions.
type Router struct {
	commands   map[string]Command
	components map[string]Component
	modals     map[string]Modal
	settings   SettingsSource
	bundle     *i18n.Bundle
	db         *db.DB
	rest       rest.Rest
	irest      rest.Interactions
	log        *slog.Logger
	defLocale  string
	autoDefer  time.Duration
	gateWait   time.Duration
	cooldowns  *Cooldowns
	inflight   sync.WaitGroup
	observer   Observer
}

// Observer receives one call per interaction: the module, the command or
// component action, the outcome ("ok", "refused", "bad_id", "unavailable",
// "error") and the time until Discord got its first answer.
type Observer interface {
	Interaction(module, command, outcome string, ack time.Duration)
}

// NewRouter indexes the contributions, refusing duplicates.
func NewRouter(o Options) (*Router, error) {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.AutoDeferAfter == 0 {
		o.AutoDeferAfter = 1500 * time.Millisecond
	}
	if o.SettingsTimeout == 0 {
		o.SettingsTimeout = 1200 * time.Millisecond
	}
	if o.Interactions == nil {
		o.Interactions = o.REST
	}
	if o.Bundle == nil || o.Settings == nil {
		return nil, errors.New("interaction router needs a bundle and a settings source")
	}
	r := &Router{
		commands: map[string]Command{}, components: map[string]Component{}, modals: map[string]Modal{},
		settings: o.Settings, bundle: o.Bundle, db: o.DB, rest: o.REST, irest: o.Interactions, log: o.Log, observer: o.Observer,
		defLocale: o.DefaultLocale, autoDefer: o.AutoDeferAfter, gateWait: o.SettingsTimeout,
		cooldowns: NewCooldowns(o.DB),
	}
	for _, c := range o.Commands {
		if err := c.validate(); err != nil {
			return nil, err
		}
		name := c.Definition.Name
		if prev, dup := r.commands[name]; dup {
			return nil, fmt.Errorf("command /%s registered by %s and %s", name, prev.Module, c.Module)
		}
		r.commands[name] = c
	}
	if err := registerByID("component", r.components, o.Components); err != nil {
		return nil, err
	}
	if err := registerByID("modal", r.modals, o.Modals); err != nil {
		return nil, err
	}
	return r, nil
}

// idDeclaration is a Component or a Modal: routed by the module:action of
// its custom id.
type idDeclaration interface {
	validate() error
	routeKey() string
}

// registerByID validates each declaration and files it under its route
// key, refusing a key declared twice.
func registerByID[T idDeclaration](what string, into map[string]T, decls []T) error {
	for _, d := range decls {
		if err := d.validate(); err != nil {
			return err
		}
		k := d.routeKey()
		if _, dup := into[k]; dup {
			return fmt.Errorf("%s %s registered twice", what, k)
		}
		into[k] = d
	}
	return nil
}

// Definitions returns the command definitions to sync, sorted by name, with
// the core's rules applied: staff commands require Manage Server by default
// and are guild-only; other commands are guild-only unless AllowDM.
func (r *Router) Definitions() []discord.ApplicationCommandCreate {
	names := make([]string, 0, len(r.commands))
	for n := range r.commands {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]discord.ApplicationCommandCreate, 0, len(names))
	for _, n := range names {
		c := r.commands[n]
		def := c.Definition
		if c.Staff {
			def.DefaultMemberPermissions = omit.NewPtr(discord.PermissionManageGuild)
		}
		if c.Staff || !c.AllowDM {
			def.Contexts = []discord.InteractionContextType{discord.InteractionContextTypeGuild}
		}
		out = append(out, def)
	}
	return out
}

// Commands lists the registered commands, sorted by name.
func (r *Router) Commands() []Command {
	out := make([]Command, 0, len(r.commands))
	for _, c := range r.commands {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Definition.Name < out[j].Definition.Name })
	return out
}

// Responder sends an interaction's initial response; it is the only thing
// that differs between the two transports. From the gateway it is the REST
// callback (events.InteractionCreate.Respond); from the HTTP endpoint it is
// the body of the answer to Discord's POST (HTTPResponder). Everything after
// the initial response (edits of @original, follow-ups) goes through the
// interaction webhook over REST either way.
type Responder = events.InteractionResponderFunc

// HTTPResponder makes disgo's httpserver answer a Responder: the response
// becomes the HTTP response body. Request options only concern REST calls.
func HTTPResponder(respond httpserver.RespondFunc) Responder {
	return func(t discord.InteractionResponseType, d discord.InteractionResponseData, _ ...rest.RequestOpt) error {
		return respond(discord.InteractionResponse{Type: t, Data: d})
	}
}

// OnEvent implements bot.EventListener. Each interaction runs in its own
// goroutine so a slow handler never blocks the gateway.
func (r *Router) OnEvent(e bot.Event) {
	ev, ok := e.(*events.InteractionCreate)
	if !ok {
		return
	}
	r.inflight.Add(1) // before the goroutine, so a Wait that follows sees it
	go func() {
		defer r.inflight.Done()
		r.Handle(context.Background(), ev.Interaction, ev.Respond)
	}()
}

// Serve handles one interaction on the caller's goroutine, counted as in
// flight so a graceful stop waits for it (Wait); the HTTP endpoint uses it.
func (r *Router) Serve(in discord.Interaction, respond Responder) {
	r.inflight.Add(1)
	defer r.inflight.Done()
	r.Handle(context.Background(), in, respond)
}

// Wait blocks until in-flight handlers return or ctx ends (graceful stop).
func (r *Router) Wait(ctx context.Context) error { return ctxtime.Wait(ctx, &r.inflight) }

// Handle runs one interaction to completion, untracked (tests drive the
// router with it; transports use Serve).
func (r *Router) Handle(parent context.Context, in discord.Interaction, respond Responder) {
	start := time.Now()
	// Handlers may keep working after the 3 s window (follow-ups are valid
	// for 15 minutes), but not forever.
	ctx, cancel := context.WithTimeout(parent, 14*time.Minute)
	defer cancel()
	// The first callback is the ACK Discord times against its 3 s deadline.
	var ackNanos atomic.Int64
	acking := func(t discord.InteractionResponseType, d discord.InteractionResponseData, opts ...rest.RequestOpt) error {
		err := respond(t, d, opts...)
		ackNanos.CompareAndSwap(0, int64(time.Since(start)))
		return err
	}
	c := &Context{Context: ctx, Interaction: in, r: r, respond: acking, CorrelationID: newCorrelationID(),
		// Until the route is known, an automatic defer stays private.
		route: route{ephemeral: true}}
	c.Locale = i18n.Resolve("", guildLocale(in), r.defLocale)
	attrs := []any{"interaction_id", in.ID().String(), "correlation_id", c.CorrelationID, "user_id", in.User().ID.String()}
	if g := in.GuildID(); g != nil {
		attrs = append(attrs, "guild_id", g.String())
	}
	c.Log = r.log.With(attrs...)

	timer := time.AfterFunc(r.autoDefer, c.autoDefer)
	defer timer.Stop()

	err := r.dispatch(c)
	timer.Stop()
	outcome := r.finish(c, err, time.Since(start))
	if r.observer != nil {
		r.observer.Interaction(c.route.module, c.route.action, outcome, time.Duration(ackNanos.Load()))
	}
}

func (r *Router) dispatch(c *Context) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic in handler: %v\n%s", p, debug.Stack())
		}
	}()
	var (
		run func() error
		rt  route
		// shape checks the interaction against its declaration (component
		// type, id arguments, select values) once the route is known.
		shape func() error
	)
	switch in := c.Interaction.(type) {
	case discord.ApplicationCommandInteraction:
		name := in.Data.CommandName()
		cmd, ok := r.commands[name]
		if !ok {
			return ErrUnknownAction
		}
		rt = route{module: cmd.Module, action: name, staff: cmd.Staff, ephemeral: cmd.Ephemeral, allowDM: cmd.AllowDM && !cmd.Staff}
		run = func() error { return cmd.run(c) }
	case discord.ComponentInteraction:
		if in.Data == nil {
			return &badIDError{err: fmt.Errorf("%w: no component data", errShape)}
		}
		id, perr := customid.Parse(in.Data.CustomID())
		if perr != nil {
			return &badIDError{err: perr}
		}
		comp, ok := r.components[id.Module+":"+id.Action]
		if !ok {
			return ErrUnknownAction
		}
		rt = route{module: comp.Module, action: comp.Action, staff: comp.Staff}
		shape = func() error { return comp.check(id, in.Data) }
		run = func() error { return comp.Handle(c, id) }
	case discord.ModalSubmitInteraction:
		id, perr := customid.Parse(in.Data.CustomID)
		if perr != nil {
			return &badIDError{err: perr}
		}
		m, ok := r.modals[id.Module+":"+id.Action]
		if !ok {
			return ErrUnknownAction
		}
		rt = route{module: m.Module, action: m.Action, staff: m.Staff, ephemeral: true}
		shape = func() error { return customid.CheckArgs(id, m.Args) }
		run = func() error { return m.Handle(c, id) }
	case discord.AutocompleteInteraction:
		// No module uses autocomplete yet; an empty answer beats a timeout.
		return c.respond(discord.InteractionResponseTypeAutocompleteResult, discord.AutocompleteResult{Choices: []discord.AutocompleteChoice{}})
	default:
		return nil
	}
	c.mu.Lock() // the auto-defer timer reads route and Log
	c.route = rt
	c.Log = c.Log.With("module", rt.module, "action", rt.action)
	c.mu.Unlock()
	// Before the gate: a damaged id is refused the same way in every guild,
	// without reading settings.
	if shape != nil {
		if err := shape(); err != nil {
			return &badIDError{err: err}
		}
	}

	if c.GuildID() == 0 {
		if !rt.allowDM {
			return refusal.New("core.error.guild_only")
		}
		return run()
	}
	sctx, cancel := context.WithTimeout(c, r.gateWait)
	st, serr := r.settings.Settings(sctx, c.GuildID())
	cancel()
	if serr != nil {
		return fmt.Errorf("%w: guild settings: %w", ErrUnavailable, serr)
	}
	c.Settings = st
	c.Locale = i18n.Resolve(st.Locale, guildLocale(c.Interaction), r.defLocale)
	if err := st.RequireModule(rt.module); err != nil {
		return err
	}
	if rt.staff && !c.IsStaff() {
		return ErrStaffOnly
	}
	return run()
}

// badIDError is a custom id that failed to parse or an interaction that
// does not match its component's declaration (type, arguments, values).
type badIDError struct{ err error }

func (e *badIDError) Error() string { return "refused custom id: " + e.err.Error() }
func (e *badIDError) Unwrap() error { return e.err }

// finish maps the handler's outcome to one answer and one log line.
func (r *Router) finish(c *Context, err error, took time.Duration) (outcome string) {
	log := c.Log.With("ms", took.Milliseconds())
	var (
		ue  *refusal.Error
		bad *badIDError
		key string
		arg []any
	)
	switch {
	case err == nil:
		switch c.answered() {
		case unanswered:
			// The handler forgot to answer; close the spinner instead of
			// letting Discord show "interaction failed".
			log.Warn("handler returned without answering")
			if _, isComp := c.Interaction.(discord.ComponentInteraction); isComp {
				_ = c.DeferUpdate()
			} else {
				_ = c.ReplyText(true, c.T("core.done"))
			}
		case deferredCreate:
			log.Warn("handler deferred but never answered")
			_ = c.ReplyText(true, c.T("core.done"))
		}
		log.Info("interaction handled")
		return "ok"
	case errors.As(err, &bad):
		log.Warn("interaction refused: bad custom id", "error", err)
		key, outcome = "core.error.bad_id", "bad_id"
	case errors.As(err, &ue):
		log.Info("interaction refused", "reason", ue.Key)
		key, arg, outcome = ue.Key, ue.Args, "refused"
	case IsUnavailable(err):
		log.Error("interaction failed: dependency unavailable", "error", err)
		key, outcome = "core.error.unavailable", "unavailable"
	default:
		log.Error("interaction failed", "error", err)
		key, arg, outcome = "core.error.internal", []any{"ref", c.CorrelationID}, "error"
	}
	text := c.T(key, arg...)
	if c.answered() == modalShown {
		return outcome
	}
	if rerr := c.ReplyText(true, text); rerr != nil {
		log.Error("could not send the error answer", "error", rerr)
	}
	return outcome
}

// IsUnavailable reports errors that mean a dependency (Postgres, Discord's
// network) is down or too slow, as opposed to a bug.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	var connErr *pgconn.ConnectError
	var netErr net.Error
	switch {
	case errors.Is(err, ErrUnavailable),
		errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, puddle.ErrClosedPool),
		errors.As(err, &connErr),
		pgconn.Timeout(err),
		errors.As(err, &netErr):
		return true
	}
	return strings.Contains(err.Error(), "closed pool")
}

func guildLocale(in discord.Interaction) string {
	if l := in.GuildLocale(); l != nil {
		return string(*l)
	}
	return ""
}

func newCorrelationID() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
