package discordsim

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// Kinds of InteractionSpec.
const (
	InteractKindCommand   = "command"
	InteractKindComponent = "component"
	InteractKindModal     = "modal"
)

// InteractionSpec scripts a user action: running a slash command, clicking
// a component, or submitting a modal.
type InteractionSpec struct {
	Type      string `json:"type"`
	GuildID   string `json:"guild_id"`
	ChannelID string `json:"channel_id"`
	UserID    string `json:"user_id"`
	// Command is the command path, e.g. "duel round start".
	Command string         `json:"command,omitempty"`
	Options map[string]any `json:"options,omitempty"`
	// MessageID and CustomID name the clicked component; Values are the
	// selected values of a select menu.
	MessageID string   `json:"message_id,omitempty"`
	CustomID  string   `json:"custom_id,omitempty"`
	Values    []string `json:"values,omitempty"`
	// Forged sends a component interaction as a modified client could:
	// the message must exist, but CustomID need not be on it, and
	// ComponentType (required) and Values go out as given, without the
	// checks Discord's client makes. For tests of the bot's own input
	// validation.
	Forged        bool `json:"forged,omitempty"`
	ComponentType int  `json:"component_type,omitempty"`
	// Fields are the modal's inputs by custom_id: a string for text inputs,
	// a list of strings for selects.
	Fields map[string]any `json:"fields,omitempty"`
}

// InteractionResult is what the bot did with an interaction.
type InteractionResult struct {
	InteractionID string          `json:"interaction_id"`
	AckMS         int64           `json:"ack_ms"`
	Response      json.RawMessage `json:"response,omitempty"`
	// MessageID names the message the answer created or updated.
	MessageID string           `json:"message_id,omitempty"`
	Message   map[string]any   `json:"message,omitempty"`
	Followups []map[string]any `json:"followups"`
	Failed    bool             `json:"failed"`
}

// Interact sends an interaction to the bot (over the gateway, or POSTed to
// the interactions endpoint when one is set) and waits for its callback (up to Options.InteractionDeadline on the server clock) and,
// for deferred answers, for the edit or first follow-up (up to
// Options.DeferredWait, real time). Requests Discord would never send
// (unregistered command, bad option, custom_id not on the message, modal
// not shown) return a *ControlError with status 400.
func (s *Server) Interact(ctx context.Context, spec InteractionSpec) (InteractionResult, error) {
	s.mu.Lock()
	it, payload, err := s.buildInteraction(spec)
	if err != nil {
		s.mu.Unlock()
		return InteractionResult{}, err
	}
	s.st.interactions[it.ID] = it
	endpoint := s.endpointURL
	s.mu.Unlock()
	if endpoint != "" {
		// With an endpoint URL the gateway no longer carries interactions.
		s.log.Info("interaction sent", "interaction_id", it.ID, "type", it.Type, "guild_id", it.GuildID, "transport", "http")
		s.deliverHTTP(ctx, endpoint, it, payload)
	} else {
		s.dispatch(it.GuildID, "INTERACTION_CREATE", payload)
		s.log.Info("interaction sent", "interaction_id", it.ID, "type", it.Type, "guild_id", it.GuildID, "transport", "gateway")
	}
	return s.waitInteraction(ctx, it)
}

func newInteractionToken() string {
	b := make([]byte, 48)
	_, _ = rand.Read(b)
	return "aW50ZXJhY3Rpb246" + base64.RawURLEncoding.EncodeToString(b)
}

func (s *Server) waitInteraction(ctx context.Context, it *interaction) (InteractionResult, error) {
	tick := time.NewTicker(5 * time.Millisecond) // the clock may be fake: re-check it
	defer tick.Stop()
	var deferredSince time.Time
	for {
		s.mu.Lock()
		if !it.Acked && !it.Failed && s.callbackExpired(it) {
			s.markFailed(it)
		}
		done := it.Failed
		if it.Acked {
			deferred := it.AckType == callbackDeferredMessage || it.AckType == callbackDeferredUpdate
			if deferred && deferredSince.IsZero() {
				deferredSince = time.Now()
			}
			answered := it.OriginalEdited || len(it.Followups) > 0
			done = !deferred || answered || time.Since(deferredSince) >= s.opts.DeferredWait
		}
		var res InteractionResult
		if done {
			res = s.interactionResultLocked(it)
		}
		changed := s.interactionChanged
		s.mu.Unlock()
		if done {
			return res, nil
		}
		select {
		case <-ctx.Done():
			return InteractionResult{}, ctx.Err()
		case <-changed:
		case <-tick.C:
		}
	}
}

func (s *Server) interactionResultLocked(it *interaction) InteractionResult {
	res := InteractionResult{InteractionID: it.ID, Failed: it.Failed, Followups: []map[string]any{}}
	if it.Acked {
		res.AckMS = it.AckAt.Sub(it.CreatedAt).Milliseconds()
		res.Response = it.Response
		res.MessageID = it.OriginalID
		if m := s.st.messages[it.OriginalID]; m != nil {
			res.Message = s.controlMessageJSON(m)
		}
	}
	for _, id := range it.Followups {
		if m := s.st.messages[id]; m != nil {
			res.Followups = append(res.Followups, s.controlMessageJSON(m))
		}
	}
	return res
}

// buildInteraction validates the spec against the world and builds the
// INTERACTION_CREATE payload. Caller holds s.mu.
func (s *Server) buildInteraction(spec InteractionSpec) (*interaction, map[string]any, error) {
	it := &interaction{
		ID: s.ids.next(), Token: newInteractionToken(), GuildID: spec.GuildID,
		ChannelID: spec.ChannelID, UserID: spec.UserID, CreatedAt: s.now(),
	}
	if s.st.users[spec.UserID] == nil || spec.UserID == s.opts.BotUserID {
		return nil, nil, controlErr(http.StatusBadRequest, "unknown user %q", spec.UserID)
	}
	var g *guild
	var m *member
	if spec.GuildID != "" {
		g, m = s.st.guildMember(spec.GuildID, spec.UserID)
		if g == nil {
			return nil, nil, controlErr(http.StatusBadRequest, "unknown guild %q", spec.GuildID)
		}
		if m == nil {
			return nil, nil, controlErr(http.StatusBadRequest, "user %s is not a member of guild %s", spec.UserID, spec.GuildID)
		}
		if s.botMember(g) == nil {
			return nil, nil, controlErr(http.StatusBadRequest, "the bot is not in guild %s", spec.GuildID)
		}
	} else if spec.ChannelID == "" {
		// A DM with the bot: open it like the user would.
		it.ChannelID = s.dmChannelLocked(spec.UserID).ID
	}
	ch := s.st.channels[it.ChannelID]
	if ch == nil || ch.GuildID != spec.GuildID {
		return nil, nil, controlErr(http.StatusBadRequest, "unknown channel %q in guild %q", it.ChannelID, spec.GuildID)
	}
	if ch.Type == ChannelGuildCategory {
		return nil, nil, controlErr(http.StatusBadRequest, "channel %s is a category", ch.ID)
	}
	if g != nil && channelPermissions(g, m, ch)&PermViewChannel == 0 {
		return nil, nil, controlErr(http.StatusBadRequest, "user %s cannot see channel %s", spec.UserID, ch.ID)
	}

	var data map[string]any
	var extra map[string]any
	var err error
	switch spec.Type {
	case InteractKindCommand:
		it.Type = InteractionCommand
		data, err = s.commandData(it, g, m, ch, spec)
	case InteractKindComponent:
		it.Type = InteractionComponent
		data, extra, err = s.componentData(it, g, ch, spec)
	case InteractKindModal:
		it.Type = InteractionModalSubmit
		data, extra, err = s.modalData(it, spec)
	default:
		err = controlErr(http.StatusBadRequest, "unknown interaction type %q (want command, component or modal)", spec.Type)
	}
	if err != nil {
		return nil, nil, err
	}
	payload := s.interactionEnvelope(it, g, m, ch)
	payload["data"] = data
	for k, v := range extra {
		payload[k] = v
	}
	return it, payload, nil
}

// dmChannelLocked returns (creating) the DM channel with a user.
func (s *Server) dmChannelLocked(userID string) *channel {
	if cid, ok := s.st.dms[userID]; ok {
		return s.st.channels[cid]
	}
	ch := &channel{ID: s.ids.next(), Type: ChannelDM, RecipientID: userID}
	s.st.channels[ch.ID] = ch
	s.st.dms[userID] = ch.ID
	return ch
}

// interactionEnvelope is the part of INTERACTION_CREATE common to all types.
func (s *Server) interactionEnvelope(it *interaction, g *guild, m *member, ch *channel) map[string]any {
	chJSON := s.channelJSON(ch)
	p := map[string]any{
		"id": it.ID, "application_id": s.opts.AppID, "type": it.Type, "token": it.Token, "version": 1,
		"channel_id": ch.ID, "locale": "en-US", "entitlements": []any{},
		"authorizing_integration_owners": s.integrationOwners(it.GuildID),
		"attachment_size_limit":          defaultAttachmentSizeLimit,
	}
	if g != nil {
		userPerms := channelPermissions(g, m, ch)
		chJSON["permissions"] = permString(userPerms)
		mem := s.memberJSON(g, m, true)
		mem["permissions"] = permString(userPerms)
		p["guild_id"] = g.ID
		p["guild"] = map[string]any{"id": g.ID, "locale": "en-US", "features": []any{}}
		p["guild_locale"] = "en-US"
		p["member"] = mem
		p["app_permissions"] = permString(channelPermissions(g, g.Members[s.opts.BotUserID], ch))
		p["context"] = 0
	} else {
		p["user"] = s.userJSON(it.UserID)
		p["app_permissions"] = permString(PermViewChannel | PermSendMessages | PermEmbedLinks | PermAttachFiles | PermReadMessageHistory | PermAddReactions)
		p["context"] = 1
	}
	p["channel"] = chJSON
	return p
}

// commandData resolves "name [group] [sub]" against the registered
// commands (guild first, then global) and converts the options.
func (s *Server) commandData(it *interaction, g *guild, m *member, ch *channel, spec InteractionSpec) (map[string]any, error) {
	path := strings.Fields(spec.Command)
	if len(path) == 0 {
		return nil, controlErr(http.StatusBadRequest, "command required")
	}
	var cmd *command
	if g != nil {
		cmd = findCommandByName(s.st.guildCommands[g.ID], path[0])
	}
	if cmd == nil {
		cmd = findCommandByName(s.st.globalCommands, path[0])
	}
	if cmd == nil {
		return nil, controlErr(http.StatusBadRequest, "command %q is not registered by the bot", path[0])
	}
	if m != nil && cmd.Raw["default_member_permissions"] != nil {
		if need, ok := parseDecimal(cmd.Raw["default_member_permissions"]); ok && basePermissions(g, m)&need != need {
			return nil, controlErr(http.StatusBadRequest, "user lacks default_member_permissions of /%s", cmd.Name)
		}
	}
	it.CommandName = strings.Join(path, " ")
	res := newResolved()
	opts, err := s.buildOptions(g, ch, cmd.Options, path[1:], spec.Options, res)
	if err != nil {
		return nil, err
	}
	data := map[string]any{"id": cmd.ID, "name": cmd.Name, "type": cmd.Type}
	if len(opts) > 0 {
		data["options"] = opts
	}
	if cmd.GuildID != "" {
		data["guild_id"] = cmd.GuildID
	}
	if !res.empty() {
		data["resolved"] = res.json()
	}
	return data, nil
}

func findCommandByName(list []*command, name string) *command {
	for _, c := range list {
		if c.Name == name && c.Type == 1 {
			return c
		}
	}
	return nil
}

func parseDecimal(v any) (uint64, bool) {
	str, ok := v.(string)
	if !ok {
		return 0, false
	}
	var n uint64
	for _, r := range str {
		if r < '0' || r > '9' {
			return 0, false
		}
		n = n*10 + uint64(r-'0')
	}
	return n, true
}
