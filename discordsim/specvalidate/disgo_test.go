package specvalidate

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/omit"
	"github.com/disgoorg/snowflake/v2"
)

// These payloads are built with disgo v0.19.6's own types and serialised the
// way disgo's REST client does (encoding/json over the value returned by
// ToBody), so they check that what the bot framework really sends is valid.

func TestDisgoPayloads(t *testing.T) {
	v := newValidator(t)
	ts := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	minLen, maxLen := 1, 50
	minVal, maxVal := 1, 10
	perms := discord.PermissionManageGuild | discord.PermissionSendMessages

	tests := []struct {
		name         string
		method, path string
		body         any
	}{
		{
			name:   "message create with buttons, select and embed",
			method: "POST", path: "/channels/123/messages",
			body: mustBody(t, discord.NewMessageCreate().
				WithContent("Pick one").
				WithEmbeds(discord.NewEmbed().
					WithTitle("Poll").
					WithDescription("What's for lunch?").
					WithColor(0x5865F2).
					WithTimestamp(ts).
					WithFooterText("together").
					WithAuthorName("bot").
					AddField("Option A", "Pizza", true).
					AddField("Option B", "Sushi", true)).
				AddActionRow(
					discord.NewPrimaryButton("Yes", "vote:yes"),
					discord.NewDangerButton("No", "vote:no"),
					discord.NewLinkButton("Docs", "https://example.com/docs"),
				).
				AddActionRow(
					discord.NewStringSelectMenu("lunch:choice", "Choose…",
						discord.NewStringSelectMenuOption("Pizza", "pizza").WithDescription("Cheesy"),
						discord.NewStringSelectMenuOption("Sushi", "sushi").WithDefault(true),
					).WithMinValues(1).WithMaxValues(2),
				).
				WithAllowedMentions(&discord.AllowedMentions{Parse: []discord.AllowedMentionType{discord.AllowedMentionTypeUsers}}).
				WithMessageReferenceByID(snowflake.ID(456))),
		},
		{
			name:   "components v2 message",
			method: "POST", path: "/channels/123/messages",
			body: mustBody(t, discord.NewMessageCreateV2(
				discord.NewContainer(
					discord.NewTextDisplay("# Hello"),
					discord.NewSection(discord.NewTextDisplay("body")).WithAccessory(discord.NewSecondaryButton("More", "more")),
					discord.NewActionRow(discord.NewSuccessButton("OK", "ok")),
				).WithAccentColor(0xFF0000),
			)),
		},
		{
			name:   "modal interaction callback",
			method: "POST", path: "/interactions/789/tok/callback",
			body: mustBody(t, discord.InteractionResponse{
				Type: discord.InteractionResponseTypeModal,
				Data: discord.NewModalCreate("feedback", "Send feedback",
					discord.NewLabel("Subject", discord.NewShortTextInput("subject").
						WithPlaceholder("One line").WithMinLength(1).WithMaxLength(100).WithRequired(true)),
					discord.NewLabel("Details", discord.NewParagraphTextInput("details").WithMaxLength(4000)),
				),
			}),
		},
		{
			name:   "message interaction callback",
			method: "POST", path: "/interactions/789/tok/callback",
			body: mustBody(t, discord.InteractionResponse{
				Type: discord.InteractionResponseTypeCreateMessage,
				Data: discord.NewMessageCreate().WithContent("pong").WithEphemeral(true).
					AddActionRow(discord.NewPrimaryButton("Again", "ping:again")),
			}),
		},
		{
			name:   "message edit",
			method: "PATCH", path: "/channels/123/messages/456",
			body: mustBody(t, discord.NewMessageUpdate().WithContent("edited").
				ClearEmbeds().
				AddActionRow(discord.NewSecondaryButton("Undo", "undo"))),
		},
		{
			name:   "webhook execute",
			method: "POST", path: "/webhooks/555/wh-token",
			body: mustBody(t, discord.WebhookMessageCreate{
				Content: "deploy finished", Username: "CI",
				Embeds: []discord.Embed{discord.NewEmbed().WithTitle("Build #42").AddField("Status", "ok", false)},
			}),
		},
		{
			name:   "interaction follow-up edit of @original",
			method: "PATCH", path: "/webhooks/111/interaction-token/messages/@original",
			body: mustBody(t, discord.NewMessageUpdate().WithContent("done")),
		},
		{
			name:   "guild command bulk overwrite",
			method: "PUT", path: "/applications/111/guilds/222/commands",
			body: mustJSON(t, []discord.ApplicationCommandCreate{
				discord.SlashCommandCreate{
					Name:        "config",
					Description: "Configure the bot",
					NameLocalizations: map[discord.Locale]string{
						discord.LocaleFrench: "configurer",
					},
					DefaultMemberPermissions: omit.New(&perms),
					Contexts:                 []discord.InteractionContextType{discord.InteractionContextTypeGuild},
					IntegrationTypes:         []discord.ApplicationIntegrationType{discord.ApplicationIntegrationTypeGuildInstall},
					Options: []discord.ApplicationCommandOption{
						discord.ApplicationCommandOptionSubCommand{
							Name:        "volume",
							Description: "Set the volume",
							Options: []discord.ApplicationCommandOption{
								discord.ApplicationCommandOptionInt{
									Name: "level", Description: "Level", Required: true,
									MinValue: &minVal, MaxValue: &maxVal,
								},
							},
						},
						discord.ApplicationCommandOptionSubCommandGroup{
							Name:        "greeting",
							Description: "Greeting settings",
							Options: []discord.ApplicationCommandOptionSubCommand{{
								Name:        "set",
								Description: "Set the greeting",
								Options: []discord.ApplicationCommandOption{
									discord.ApplicationCommandOptionString{
										Name: "style", Description: "Style", Required: true,
										Choices: []discord.ApplicationCommandOptionChoiceString{
											{Name: "Formal", Value: "formal"},
											{Name: "Casual", Value: "casual"},
										},
									},
									discord.ApplicationCommandOptionString{
										Name: "text", Description: "Text",
										MinLength: &minLen, MaxLength: &maxLen,
									},
									discord.ApplicationCommandOptionInt{
										Name: "delay", Description: "Delay",
										Choices: []discord.ApplicationCommandOptionChoiceInt{
											{Name: "none", Value: 0}, {Name: "short", Value: 5},
										},
									},
									discord.ApplicationCommandOptionChannel{
										Name: "channel", Description: "Where",
										ChannelTypes: []discord.ChannelType{discord.ChannelTypeGuildText},
									},
								},
							}},
						},
					},
				},
				discord.UserCommandCreate{
					Name:     "Profile",
					Contexts: []discord.InteractionContextType{discord.InteractionContextTypeGuild, discord.InteractionContextTypeBotDM},
				},
			}),
		},
		{
			name:   "guild channel create with permission overwrites",
			method: "POST", path: "/guilds/222/channels",
			body: mustJSON(t, discord.GuildTextChannelCreate{
				Name:             "general-2",
				Topic:            "chat",
				RateLimitPerUser: 5,
				ParentID:         snowflake.ID(333),
				PermissionOverwrites: []discord.PermissionOverwrite{
					discord.RolePermissionOverwrite{RoleID: 222, Deny: discord.PermissionViewChannel},
					discord.MemberPermissionOverwrite{UserID: 444, Allow: discord.PermissionViewChannel | discord.PermissionSendMessages},
				},
			}),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := tt.body.([]byte)
			if vs := v.Validate(tt.method, tt.path, nil, "application/json", body); len(vs) > 0 {
				t.Errorf("disgo payload rejected:\n%s\nbody: %s", formatViolations(vs), body)
			}
		})
	}
}

// mustBody serialises a disgo request value the way disgo's REST client
// does: through ToBody when the type has it.
func mustBody(t *testing.T, v interface{ ToBody() (any, error) }) []byte {
	t.Helper()
	body, err := v.ToBody()
	if err != nil {
		t.Fatalf("ToBody: %v", err)
	}
	return mustJSON(t, body)
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	return b
}

// TestSpecDisagreesWithDisgo pins down, against the spec exactly as
// published, the disgo payloads that only pass because of errata.go. If
// this test starts failing because the published spec accepts them, the
// corresponding erratum can go.
func TestSpecDisagreesWithDisgo(t *testing.T) {
	raw, err := buildSpec(openapiJSON, false)
	if err != nil {
		t.Fatal(err)
	}
	strict := &Validator{spec: raw}
	lenient := newValidator(t)
	perms := discord.PermissionManageGuild
	allow, deny := discord.PermissionSendMessages, discord.PermissionAttachFiles
	withFile, err := discord.NewMessageCreate().WithContent("report").
		AddFile("report.txt", "weekly report", strings.NewReader("data")).ToBody()
	if err != nil {
		t.Fatal(err)
	}
	multipart := withFile.(*discord.MultipartBuffer)

	tests := []struct {
		name         string
		method, path string
		contentType  string
		body         []byte
		pointers     []string // rejected by the published spec here
	}{
		{
			name:   "permission bitsets are strings",
			method: "PUT", path: "/applications/1/guilds/2/commands",
			body: mustJSON(t, []discord.ApplicationCommandCreate{discord.SlashCommandCreate{
				Name: "x", Description: "x", DefaultMemberPermissions: omit.New(&perms),
			}}),
			pointers: []string{"/0/default_member_permissions"},
		},
		{
			name:   "overwrite allow/deny are strings",
			method: "PUT", path: "/channels/1/permissions/2",
			body:     mustJSON(t, discord.RolePermissionOverwriteUpdate{Allow: &allow, Deny: &deny}),
			pointers: []string{"/allow", "/deny"},
		},
		{
			name:   "attachment placeholder ids are integers",
			method: "POST", path: "/channels/1/messages",
			body:        multipart.Buffer.Bytes(),
			contentType: multipart.ContentType,
			pointers:    []string{"/attachments/0/id"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ct := tt.contentType
			if ct == "" {
				ct = "application/json"
			}
			vs := strict.Validate(tt.method, tt.path, nil, ct, tt.body)
			for _, p := range tt.pointers {
				found := false
				for _, v := range vs {
					found = found || v.Pointer == p
				}
				if !found {
					t.Errorf("published spec no longer rejects %s (erratum may be obsolete); got:\n%s", p, formatViolations(vs))
				}
			}
			if len(vs) != len(tt.pointers) {
				t.Errorf("published spec: want exactly %v, got:\n%s", tt.pointers, formatViolations(vs))
			}
			if vs := lenient.Validate(tt.method, tt.path, nil, ct, tt.body); vs != nil {
				t.Errorf("with errata still rejected:\n%s", formatViolations(vs))
			}
		})
	}
}
