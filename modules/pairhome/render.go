package pairhome

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/snowflake/v2"
	"github.com/uptrace/bun"

	"github.com/together-bot/together/core/i18n"
	"github.com/together-bot/together/core/projection"
	"github.com/together-bot/together/modules/pairhome/pairhomeapi"
)

// panelKind is the projection kind of the Pair Home panel; its key is the pair id.
const panelKind = "pairhome.panel"

// accent is the panel's container colour.
const accent = 0x4f8a3f

// panel renders Pair Home from the database, the settings and the sections.
type panel struct {
	settings guildSettings
	sections *sectionSet
	bundle   *i18n.Bundle
}

func newPanel(settings guildSettings, sections *sectionSet, bundle *i18n.Bundle) *panel {
	return &panel{settings: settings, sections: sections, bundle: bundle}
}

// Renderer is the panel's projection renderer (point projection.Renderers). The core pins
// the message once and recreates it when it is deleted.
func (pn *panel) Renderer() projection.Renderer {
	return projection.Renderer{Kind: panelKind, Module: Name, Pin: true, Render: pn.render}
}

func (pn *panel) render(ctx context.Context, idb bun.IDB, key string) (projection.Rendered, error) {
	id, err := strconv.ParseInt(key, 10, 64)
	if err != nil {
		return projection.Rendered{Gone: true}, nil
	}
	r, err := loadPair(ctx, idb, id)
	if errors.Is(err, pairhomeapi.ErrNoPair) {
		return projection.Rendered{Gone: true}, nil
	}
	if err != nil {
		return projection.Rendered{}, err
	}
	p := r.ref()
	if p.ChannelID == 0 {
		// No room (yet, or any more): nothing to show anywhere.
		return projection.Rendered{Gone: true}, nil
	}
	st, err := pn.settings.Settings(ctx, p.GuildID)
	if err != nil {
		return projection.Rendered{}, fmt.Errorf("pairhome: guild settings: %w", err)
	}
	loc := pn.settings.Locale(ctx, p.GuildID)
	var views []pairhomeapi.SectionView
	if p.Active {
		for _, sec := range enabledSections(st, pn.sections.all()) {
			v, err := sec.Render(ctx, idb, p.Pair, loc)
			if err != nil {
				return projection.Rendered{}, fmt.Errorf("pairhome: section %s: %w", sec.Module, err)
			}
			if !v.Empty() {
				views = append(views, v)
			}
		}
	}
	return projection.Rendered{
		GuildID:   snowflake.ID(p.GuildID),
		ChannelID: snowflake.ID(p.ChannelID),
		Message:   buildPanel(pn.bundle, loc, p, r.ArchivedAt, views),
	}, nil
}

// buildPanel is the pure part of rendering: pair + section views → message.
// Mentions are shown but never ping (allowed_mentions is empty).
func buildPanel(b *i18n.Bundle, loc string, p pairRef, archivedAt *time.Time, views []pairhomeapi.SectionView) discord.MessageCreate {
	head := b.T(loc, "pairhome.panel.title") + "\n" +
		b.T(loc, "pairhome.panel.members", "a", mention(p.Members[0]), "b", mention(p.Members[1]))
	comps := []discord.ContainerSubComponent{discord.NewTextDisplay(head)}
	if !p.Active {
		text := b.T(loc, "pairhome.panel.archived")
		if archivedAt != nil {
			text = b.T(loc, "pairhome.panel.archived_at", "when", fmt.Sprintf("<t:%d:f>", archivedAt.Unix()))
		}
		comps = append(comps, discord.NewSeparator(discord.SeparatorSpacingSizeSmall), discord.NewTextDisplay(text))
	}
	for _, v := range views {
		comps = append(comps, discord.NewSeparator(discord.SeparatorSpacingSizeSmall))
		if v.Text != "" {
			comps = append(comps, discord.NewTextDisplay(v.Text))
		}
		if len(v.Buttons) > 0 {
			btns := v.Buttons
			if len(btns) > pairhomeapi.MaxSectionButtons {
				btns = btns[:pairhomeapi.MaxSectionButtons]
			}
			row := make([]discord.InteractiveComponent, len(btns))
			for i, btn := range btns {
				row[i] = btn
			}
			comps = append(comps, discord.NewActionRow(row...))
		}
	}
	if p.Active && len(views) == 0 {
		comps = append(comps, discord.NewSeparator(discord.SeparatorSpacingSizeSmall),
			discord.NewTextDisplay(b.T(loc, "pairhome.panel.empty")))
	}
	return projection.Container(accent, comps...)
}
