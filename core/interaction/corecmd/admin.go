package corecmd

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/disgo/rest"
	"github.com/disgoorg/snowflake/v2"

	"github.com/together-bot/together/core/guild"
	"github.com/together-bot/together/core/interaction"
	"github.com/together-bot/together/core/queue"
)

func (c *Core) adminDefinition() discord.SlashCommandCreate {
	d := interaction.Describer{Bundle: c.bundle}
	return d.Slash("admin", "core.cmd.admin", d.Sub("status", "core.cmd.admin.status"), d.Sub("doctor", "core.cmd.admin.doctor"))
}

// adminSubcommands answer /admin's subcommands, each a report.
func (c *Core) adminSubcommands() map[string]func(*interaction.Context) error {
	return map[string]func(*interaction.Context) error{
		"admin status": adminReport(c.Status),
		"admin doctor": adminReport(func(ic *interaction.Context) (string, error) {
			rep, err := c.Doctor(ic)
			return rep.Text, err
		}),
	}
}

// adminReport answers with report's text, after a private "thinking…"
// that the report replaces.
func adminReport(report func(*interaction.Context) (string, error)) func(*interaction.Context) error {
	return func(ic *interaction.Context) error {
		if err := ic.Defer(true); err != nil {
			return err
		}
		text, err := report(ic)
		if err != nil {
			return err
		}
		return ic.ReplyLong(true, text)
	}
}

// Status is /admin status: settings, modules, schedules and dashboards,
// read from Postgres only (no Discord calls), so it answers fast.
func (c *Core) Status(ic *interaction.Context) (string, error) {
	st, err := c.guilds.Settings(ic, ic.GuildID())
	if err != nil {
		return "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n", ic.T("core.admin.status_title"))
	b.WriteString(c.settingsReport(ic, st))
	scheds, err := queue.ListSchedules(ic, c.db)
	if err != nil {
		return "", err
	}
	fmt.Fprintf(&b, "\n**%s**\n", ic.T("core.label.schedules"))
	if len(scheds) == 0 {
		b.WriteString(ic.T("core.value.none") + "\n")
	}
	for _, s := range scheds {
		b.WriteString(c.scheduleLine(ic, st, s) + "\n")
	}
	if err := c.dashboardLines(ic, &b, nil); err != nil {
		return "", err
	}
	for _, sec := range c.sections {
		lines, err := sec.Lines(ic)
		if err != nil {
			return "", fmt.Errorf("%s status: %w", sec.Module, err)
		}
		if len(lines) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n**%s**\n%s\n", sec.Module, strings.Join(lines, "\n"))
	}
	return b.String(), nil
}

func (c *Core) scheduleLine(ic *interaction.Context, st guild.Settings, s queue.ScheduleState) string {
	state := "✅"
	note := ic.T("core.admin.next_run", "when", fmt.Sprintf("<t:%d:R>", s.NextRunAt.Unix()))
	switch {
	case !s.Enabled:
		state, note = "⏸️", ic.T("core.admin.schedule_disabled")
	case s.Unserved():
		state, note = "⚠️", ic.T("core.admin.schedule_stale")
	case !st.ModuleOn(s.Module):
		state, note = "⛔", ic.T("core.admin.schedule_module_off")
	}
	line := fmt.Sprintf("%s `%s` (%s) — %s", state, s.Name, s.Module, note)
	if s.LastRunAt != nil {
		line += " · " + ic.T("core.admin.last_run", "when", fmt.Sprintf("<t:%d:R>", s.LastRunAt.Unix()))
	}
	return line
}

// dashboardLines appends the dashboards section; findings (doctor) get a
// FAIL for every dashboard whose last edit failed.
func (c *Core) dashboardLines(ic *interaction.Context, b *strings.Builder, f *findings) error {
	if c.dash == nil {
		return nil
	}
	ds, err := c.dash.Dashboards(ic, ic.GuildID())
	if err != nil {
		return fmt.Errorf("list dashboards: %w", err)
	}
	if f == nil {
		fmt.Fprintf(b, "\n**%s**\n", ic.T("core.label.dashboards"))
		if len(ds) == 0 {
			b.WriteString(ic.T("core.value.none") + "\n")
		}
	}
	for _, d := range ds {
		where := fmt.Sprintf("%s · %s <#%d>", d.Module, d.Name, d.ChannelID)
		failing := d.LastError != "" && !d.LastErrorAt.Before(d.LastEditAt)
		if f != nil {
			if failing {
				f.add(fail, ic.T("core.doctor.dashboard_failing", "dashboard", where, "error", d.LastError,
					"when", fmt.Sprintf("<t:%d:R>", d.LastErrorAt.Unix())))
			} else {
				f.add(ok, where)
			}
			continue
		}
		line := "✅ " + where
		if !d.LastEditAt.IsZero() {
			line += " · " + ic.T("core.admin.last_edit", "when", fmt.Sprintf("<t:%d:R>", d.LastEditAt.Unix()))
		}
		if failing {
			line = "❌ " + where + " · " + ic.T("core.admin.last_error", "error", d.LastError, "when", fmt.Sprintf("<t:%d:R>", d.LastErrorAt.Unix()))
		}
		b.WriteString(line + "\n")
	}
	return nil
}

type level int

const (
	ok level = iota
	warn
	fail
)

func (l level) tag() string { return [...]string{"[OK]", "[WARN]", "[FAIL]"}[l] }

type finding struct {
	Level level
	Text  string
}

type findings struct{ list []finding }

func (f *findings) add(l level, text string) { f.list = append(f.list, finding{l, text}) }

func (f *findings) worst() level {
	w := ok
	for _, x := range f.list {
		w = max(w, x.Level)
	}
	return w
}

// DoctorReport is the outcome of /admin doctor.
type DoctorReport struct {
	Overall  string // OK, WARN or FAIL
	Findings []string
	Text     string
}

// Doctor checks that each configured channel exists, has the right kind and
// gives the bot the permissions its module declared; that schedules are
// served; and that dashboards are not failing.
func (c *Core) Doctor(ic *interaction.Context) (DoctorReport, error) {
	st, err := c.guilds.Settings(ic, ic.GuildID())
	if err != nil {
		return DoctorReport{}, err
	}
	f := &findings{}
	gid := snowflake.ID(ic.GuildID())
	// Bots created since 2016 have the application's id as user id.
	botID := ic.Interaction.ApplicationID()
	roles, rerr := c.rest.GetRoles(gid, rest.WithCtx(ic))
	bot, merr := c.rest.GetMember(gid, botID, rest.WithCtx(ic))
	if err := errors.Join(rerr, merr); err != nil {
		f.add(fail, ic.T("core.doctor.cannot_read_guild", "error", discordError(err)))
	}
	if !st.Exists {
		f.add(warn, ic.T("core.doctor.not_configured"))
	}
	for _, p := range c.guilds.Purposes() {
		label := c.purposeLabel(ic.Locale, p)
		if !st.ModuleOn(p.Module) {
			continue
		}
		chID, set := st.Channel(p.Module, p.Key)
		if !set {
			if p.Required {
				f.add(fail, ic.T("core.doctor.channel_missing", "purpose", label))
			} else {
				f.add(warn, ic.T("core.doctor.channel_optional_missing", "purpose", label))
			}
			continue
		}
		ch, err := c.rest.GetChannel(snowflake.ID(chID), rest.WithCtx(ic))
		if err != nil {
			var re *rest.Error
			if errors.As(err, &re) && (re.Code == 10003 || re.Response != nil && re.Response.StatusCode == http.StatusNotFound) {
				f.add(fail, ic.T("core.doctor.channel_gone", "purpose", label, "channel", chID))
			} else {
				f.add(fail, ic.T("core.doctor.channel_unreadable", "purpose", label, "channel", chID, "error", discordError(err)))
			}
			continue
		}
		gc, isGuild := ch.(discord.GuildChannel)
		if !isGuild || gc.GuildID() != gid {
			f.add(fail, ic.T("core.doctor.channel_gone", "purpose", label, "channel", chID))
			continue
		}
		if !kindMatches(p.Kind, ch.Type()) {
			f.add(fail, ic.T("core.doctor.channel_wrong_kind", "purpose", label, "channel", chID, "kind", ic.T(kindKey(p.Kind))))
			continue
		}
		if bot == nil || rerr != nil {
			continue
		}
		have := channelPermissions(gid, roles, botID, bot.RoleIDs, gc.PermissionOverwrites())
		need := p.NeededPermissions()
		if missing := need &^ have; missing != 0 {
			f.add(fail, ic.T("core.doctor.missing_permissions", "purpose", label, "channel", chID, "permissions", missing.String()))
			continue
		}
		f.add(ok, fmt.Sprintf("%s: <#%d>", label, chID))
	}
	scheds, err := queue.ListSchedules(ic, c.db)
	if err != nil {
		return DoctorReport{}, err
	}
	for _, s := range scheds {
		switch {
		case !s.Enabled:
			f.add(warn, ic.T("core.doctor.schedule_disabled", "name", s.Name))
		case s.Unserved():
			f.add(warn, ic.T("core.doctor.schedule_stale", "name", s.Name, "module", s.Module))
		default:
			f.add(ok, "`"+s.Name+"`")
		}
	}
	var sb strings.Builder
	if err := c.dashboardLines(ic, &sb, f); err != nil {
		f.add(warn, ic.T("core.doctor.dashboards_unreadable", "error", err.Error()))
	}

	rep := DoctorReport{Overall: strings.Trim(f.worst().tag(), "[]")}
	var b strings.Builder
	fmt.Fprintf(&b, "# %s — %s\n", ic.T("core.admin.doctor_title"), f.worst().tag())
	// Problems first: that is what an admin opens the doctor for.
	for _, l := range []level{fail, warn, ok} {
		for _, x := range f.list {
			if x.Level == l {
				line := x.Level.tag() + " " + x.Text
				rep.Findings = append(rep.Findings, line)
				b.WriteString(line + "\n")
			}
		}
	}
	rep.Text = b.String()
	return rep, nil
}
