// Package interactiontest checks a module's rendered messages against its
// component declarations, so every button and select the module shows is
// one the router accepts when clicked.
package interactiontest

import (
	"testing"

	"github.com/disgoorg/disgo/discord"

	"github.com/together-bot/together/core/customid"
	"github.com/together-bot/together/core/interaction"
)

// RequireAccepted fails the test unless every button and select with a
// custom id in rows has a declaration in declared (by module and action)
// that accepts it (interaction.Component.Renders). It returns how many
// components it checked, so a test can tell it looked at something.
//
//	interactiontest.RequireAccepted(t, h.Components(), msg.Components)
func RequireAccepted(t testing.TB, declared []interaction.Component, rows []discord.LayoutComponent) int {
	t.Helper()
	byRoute := map[string]interaction.Component{}
	for _, c := range declared {
		byRoute[c.Module+":"+c.Action] = c
	}
	checked := 0
	for comp := range (discord.Message{Components: rows}).AllComponents() {
		interactive, ok := comp.(discord.InteractiveComponent)
		if !ok || interactive.GetCustomID() == "" {
			continue // layout, text, or a link button
		}
		customID := interactive.GetCustomID()
		id, err := customid.Parse(customID)
		if err != nil {
			t.Fatalf("rendered custom id %q: %v", customID, err)
		}
		decl, ok := byRoute[id.Module+":"+id.Action]
		if !ok {
			t.Fatalf("rendered custom id %q has no declared component", customID)
		}
		if err := decl.Renders(comp); err != nil {
			t.Fatalf("rendered component %q is refused by its declaration: %v", customID, err)
		}
		checked++
	}
	return checked
}
