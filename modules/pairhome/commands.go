package pairhome

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/disgo/rest"
	"github.com/disgoorg/snowflake/v2"

	"github.com/together-bot/together/core/customid"
	"github.com/together-bot/together/core/interaction"
	"github.com/together-bot/together/modules/pairhome/pairhomeapi"
)

// actionDissolve is the custom-id action of the dissolve confirm button:
// "1:pairhome:dissolve:<pair id>:<sum>". The id carries the pair only; who
// clicked is read from the interaction.
const actionDissolve = "dissolve"

// Command is /pair (point interaction.Commands). It is not a Staff command as a
// whole because members use /pair room and /pair dissolve; create, settings
// and dissolving someone else's pair check staff at run time.
func (s *service) Command() interaction.Command {
	return interaction.Command{Module: Name, Definition: definition(interaction.Describer{Bundle: s.Bundle}), Ephemeral: true,
		Subcommands: map[string]func(*interaction.Context) error{
			"pair create":   s.handleCreate,
			"pair room":     s.handleRoom,
			"pair dissolve": s.handleDissolve,
			"pair settings": s.handleSettings,
		}}
}

// Components are pairhome's buttons (point interaction.Components).
func (s *service) Components() []interaction.Component {
	return []interaction.Component{interaction.Button(Name, actionDissolve, s.handleDissolveButton, customid.ID64("pair"))}
}

func definition(d interaction.Describer) discord.SlashCommandCreate {
	return d.Slash("pair", "pairhome.cmd.pair",
		d.Sub("create", "pairhome.cmd.create",
			d.User("member_a", "pairhome.cmd.create.member_a", true),
			d.User("member_b", "pairhome.cmd.create.member_b", true)),
		d.Sub("room", "pairhome.cmd.room"),
		d.Sub("dissolve", "pairhome.cmd.dissolve", d.User("member", "pairhome.cmd.dissolve.member", false)),
		d.Sub("settings", "pairhome.cmd.settings",
			d.Bool("moderator_access", "pairhome.cmd.settings.moderator_access", false),
			d.Choices("archive", "pairhome.cmd.settings.archive", false,
				d.Choice("pairhome.cmd.settings.archive.readonly", archiveReadOnly),
				d.Choice("pairhome.cmd.settings.archive.delete", archiveDelete))))
}

func (s *service) handleCreate(c *interaction.Context) error {
	if !c.IsStaff() {
		return interaction.ErrStaffOnly
	}
	d, _ := c.SlashData()
	a, b := d.User("member_a"), d.User("member_b")
	switch {
	case a.ID == b.ID:
		return errSelfPair
	case a.Bot || b.Bot || a.System || b.System:
		return errBot
	}
	names := [2]string{}
	for i, u := range []discord.User{a, b} {
		m, ok := d.OptMember([]string{"member_a", "member_b"}[i])
		if !ok {
			return errNotGuildMember.With("user", mention(uint64(u.ID)))
		}
		names[i] = u.EffectiveName()
		if m.Nick != nil && *m.Nick != "" {
			names[i] = *m.Nick
		}
	}
	if _, ok := c.Settings.Channel(Name, categoryPurposeKey); !ok {
		return errNoCategory
	}
	p, created, err := s.Create(c, createInput{GuildID: c.GuildID(), MemberA: uint64(a.ID), MemberB: uint64(b.ID),
		By: c.UserID(), NameA: names[0], NameB: names[1]})
	if err != nil {
		return err
	}
	ma, mb := mention(p.Members[0]), mention(p.Members[1])
	switch {
	case created:
		return c.ReplyText(true, c.T("pairhome.reply.created", "a", ma, "b", mb))
	case p.ChannelID != 0:
		return c.ReplyText(true, c.T("pairhome.reply.existing", "a", ma, "b", mb, "room", channelMention(p.ChannelID)))
	}
	return c.ReplyText(true, c.T("pairhome.reply.existing_pending", "a", ma, "b", mb))
}

func (s *service) handleRoom(c *interaction.Context) error {
	// pairhomeapi.ErrNoPair is the "not in a pair" refusal itself.
	p, err := s.PairOf(c, nil, c.GuildID(), c.UserID())
	if err != nil {
		return err
	}
	if p.ChannelID != 0 {
		return c.ReplyText(true, c.T("pairhome.reply.your_room", "room", channelMention(p.ChannelID)))
	}
	r, err := loadPair(c, s.DB.Bun, p.ID)
	if err != nil {
		return err
	}
	if r.RoomError != nil && *r.RoomError != "" {
		return c.ReplyText(true, c.T("pairhome.reply.room_problem", "reason", c.T("pairhome.room_error."+*r.RoomError)))
	}
	return c.ReplyText(true, c.T("pairhome.reply.room_pending"))
}

func (s *service) handleDissolve(c *interaction.Context) error {
	d, _ := c.SlashData()
	if target, ok := d.OptUser("member"); ok && uint64(target.ID) != c.UserID() {
		if !c.IsStaff() {
			return interaction.ErrStaffOnly
		}
		p, err := s.PairOf(c, nil, c.GuildID(), uint64(target.ID))
		if errors.Is(err, pairhomeapi.ErrNoPair) {
			return errMemberNotPaired.With("user", mention(uint64(target.ID)))
		}
		if err != nil {
			return err
		}
		if _, err := s.Dissolve(c, c.GuildID(), p.ID, c.UserID()); err != nil {
			return err
		}
		return c.ReplyText(true, c.T("pairhome.reply.dissolved", "a", mention(p.Members[0]), "b", mention(p.Members[1])))
	}
	// pairhomeapi.ErrNoPair is the "not in a pair" refusal itself.
	p, err := s.PairOf(c, nil, c.GuildID(), c.UserID())
	if err != nil {
		return err
	}
	btn, err := dissolveButton(c.T("pairhome.button.dissolve"), p.ID)
	if err != nil {
		return err
	}
	return c.Reply(true, discord.MessageCreate{
		Content:         c.T("pairhome.reply.dissolve_confirm", "partner", mention(p.Partner(c.UserID()))),
		Components:      []discord.LayoutComponent{discord.NewActionRow(btn)},
		AllowedMentions: &discord.AllowedMentions{Parse: []discord.AllowedMentionType{}},
	})
}

func dissolveButton(label string, pairID int64) (discord.ButtonComponent, error) {
	id, err := customid.New(Name, actionDissolve, strconv.FormatInt(pairID, 10))
	if err != nil {
		return discord.ButtonComponent{}, err
	}
	return discord.NewDangerButton(label, id), nil
}

func (s *service) handleDissolveButton(c *interaction.Context, id customid.ID) error {
	p, dissolved, err := s.ConsentDissolve(c, c.GuildID(), id.Int64(0), c.UserID())
	if errors.Is(err, pairhomeapi.ErrNoPair) {
		// The button outlived its pair (or names another guild's): to the
		// member it reads as a pair that is gone.
		return errNotActive
	}
	if err != nil {
		return err
	}
	if dissolved {
		return c.ReplyText(true, c.T("pairhome.reply.dissolved", "a", mention(p.Members[0]), "b", mention(p.Members[1])))
	}
	partner := p.Partner(c.UserID())
	if err := c.ReplyText(true, c.T("pairhome.reply.dissolve_waiting", "partner", mention(partner))); err != nil {
		return err
	}
	// Tell the partner in the room, once per consent window.
	if p.ChannelID == 0 || s.Rest == nil {
		return nil
	}
	first, err := c.Once(fmt.Sprintf("dissolve-request:%d:%d", p.ID, c.UserID()), consentTTL)
	if err != nil || !first {
		return err
	}
	btn, err := dissolveButton(c.T("pairhome.button.dissolve"), p.ID)
	if err != nil {
		return err
	}
	_, err = call(c, func(o rest.RequestOpt) (*discord.Message, error) {
		return s.Rest.CreateMessage(snowflake.ID(p.ChannelID), discord.MessageCreate{
			Content:         c.T("pairhome.reply.dissolve_request", "user", mention(c.UserID()), "partner", mention(partner)),
			Components:      []discord.LayoutComponent{discord.NewActionRow(btn)},
			AllowedMentions: &discord.AllowedMentions{Users: []snowflake.ID{snowflake.ID(partner)}},
		}, o)
	})
	if err != nil {
		c.Log.Warn("could not post the dissolve request in the pair room", "pair_id", p.ID, "error", err)
	}
	return nil
}

func (s *service) handleSettings(c *interaction.Context) error {
	if !c.IsStaff() {
		return interaction.ErrStaffOnly
	}
	d, _ := c.SlashData()
	access, accessGiven := d.OptBool("moderator_access")
	mode, modeGiven := d.OptString("archive")
	var (
		cfg guildConfig
		err error
	)
	if accessGiven || modeGiven {
		cfg, err = s.updateConfig(c, c.GuildID(), c.UserID(), func(cfg *guildConfig) {
			if accessGiven {
				cfg.ModeratorAccess = access
			}
			if modeGiven {
				cfg.ArchiveMode = mode
			}
		})
	} else {
		cfg, err = s.GuildConfig(c, c.GuildID())
	}
	if err != nil {
		return err
	}
	accessText := c.T("pairhome.value.off")
	if cfg.ModeratorAccess {
		accessText = c.T("pairhome.value.on")
	}
	return c.ReplyText(true, c.T("pairhome.reply.settings", "access", accessText, "mode", c.T("pairhome.value."+cfg.ArchiveMode)))
}

func channelMention(id uint64) string { return fmt.Sprintf("<#%d>", id) }
