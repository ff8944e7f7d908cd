package discordsim

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

const (
	msgTypeChannelPinned = 6
	maxPins              = 50
	codeMaxPins          = 30003
	codeUnknownRefMsg    = "MESSAGE_REFERENCE_UNKNOWN_MESSAGE"
)

// messageBody is the subset of create/edit bodies the emulator stores.
type messageBody struct {
	Content          *string         `json:"content"`
	Embeds           json.RawMessage `json:"embeds"`
	Components       json.RawMessage `json:"components"`
	Flags            *int            `json:"flags"`
	Nonce            json.RawMessage `json:"nonce"`
	EnforceNonce     bool            `json:"enforce_nonce"`
	MessageReference json.RawMessage `json:"message_reference"`
	StickerIDs       []string        `json:"sticker_ids"`
	Attachments      json.RawMessage `json:"attachments"`
	Poll             json.RawMessage `json:"poll"`
}

func isEmptyJSON(r json.RawMessage) bool {
	t := bytes.TrimSpace(r)
	return len(t) == 0 || string(t) == "null" || string(t) == "[]" || string(t) == "{}"
}

// empty reports Discord's "Cannot send an empty message" condition.
func (b messageBody) empty() bool {
	return (b.Content == nil || *b.Content == "") && isEmptyJSON(b.Embeds) && isEmptyJSON(b.Components) &&
		len(b.StickerIDs) == 0 && isEmptyJSON(b.Attachments) && isEmptyJSON(b.Poll)
}

var errEmptyMessage = apiErr(http.StatusBadRequest, codeEmptyMessage, "Cannot send an empty message")

// newMessageLocked stores a message; the caller dispatches the returned
// events after unlocking. Caller holds s.mu.
func (s *Server) newMessageLocked(ch *channel, authorID string, b messageBody, typ int) (*message, []pendingEvent) {
	m := &message{
		ID: s.ids.next(), ChannelID: ch.ID, GuildID: ch.GuildID, AuthorID: authorID, Type: typ,
		Timestamp: s.now(), Embeds: b.Embeds, Components: assignComponentIDs(b.Components), Nonce: b.Nonce,
	}
	if b.Content != nil {
		m.Content = *b.Content
	}
	if b.Flags != nil {
		m.Flags = *b.Flags
	}
	if !isEmptyJSON(b.MessageReference) {
		m.Reference = b.MessageReference
	}
	return m, s.storeMessageLocked(ch, m)
}

// storeMessageLocked adds a new message to its channel and returns its
// MESSAGE_CREATE. An ephemeral message does not move the channel's
// last_message_id: the other members never see it. Caller holds s.mu.
func (s *Server) storeMessageLocked(ch *channel, m *message) []pendingEvent {
	s.st.messages[m.ID] = m
	s.st.channelMsgs[ch.ID] = append(s.st.channelMsgs[ch.ID], m.ID)
	if m.EphemeralTo == "" {
		ch.LastMsgID = m.ID
	}
	s.stats.messagesCreated++
	return s.messageEvent("MESSAGE_CREATE", m)
}

func (s *Server) messageEvent(name string, m *message) []pendingEvent {
	if m.EphemeralTo != "" {
		// Ephemeral messages never reach the gateway; only the
		// playground's live feed hears of them.
		return []pendingEvent{{guildID: m.GuildID, name: name, liveOnly: true,
			data: map[string]any{"id": m.ID, "channel_id": m.ChannelID, "ephemeral_to": m.EphemeralTo}}}
	}
	return []pendingEvent{{guildID: m.GuildID, name: name, data: s.gatewayMessageJSON(m)}}
}

// patchMessageLocked applies a PATCH body: only sent fields change, and
// null clears. countsAsEdit is false for the first edit of a deferred
// ("thinking") response, which Discord shows as the answer, not an edit.
func (s *Server) patchMessageLocked(m *message, body []byte, countsAsEdit bool) ([]pendingEvent, error) {
	var patch map[string]json.RawMessage
	if len(bytes.TrimSpace(body)) > 0 {
		if err := json.Unmarshal(body, &patch); err != nil {
			return nil, formError("_errors", "BASE_TYPE_BAD_JSON", err.Error())
		}
	}
	isNull := func(r json.RawMessage) bool { return string(bytes.TrimSpace(r)) == "null" }
	if v, ok := patch["content"]; ok {
		m.Content = ""
		if !isNull(v) {
			_ = json.Unmarshal(v, &m.Content)
		}
	}
	if v, ok := patch["embeds"]; ok {
		m.Embeds = nil
		if !isNull(v) {
			m.Embeds = v
		}
	}
	if v, ok := patch["components"]; ok {
		m.Components = nil
		if !isNull(v) {
			m.Components = assignComponentIDs(v)
		}
	}
	if v, ok := patch["flags"]; ok && !isNull(v) {
		var f int
		_ = json.Unmarshal(v, &f)
		// Only SUPPRESS_EMBEDS may be toggled on edit; IS_COMPONENTS_V2
		// can be set but never removed; the rest is kept.
		keep := m.Flags &^ 4
		m.Flags = keep | f&4 | f&flagIsCompV2
	}
	if countsAsEdit {
		t := s.now()
		m.EditedTimestamp = &t
		m.EditCount++
		s.stats.messagesEdited++
	}
	if m.Flags&flagLoading != 0 {
		m.Flags &^= flagLoading
	}
	if m.Content == "" && isEmptyJSON(m.Embeds) && isEmptyJSON(m.Components) {
		return nil, errEmptyMessage
	}
	return s.messageEvent("MESSAGE_UPDATE", m), nil
}

// channelForBot looks up a channel and checks the bot's permissions.
// Caller holds s.mu.
func (s *Server) channelForBot(id string, need uint64) (*channel, error) {
	ch := s.st.channels[id]
	if ch == nil {
		return nil, errUnknown(codeUnknownChannel)
	}
	if err := s.requireChannelPerms(ch, need); err != nil {
		return nil, err
	}
	return ch, nil
}

// visibleMessage returns a non-ephemeral message of the channel.
func (s *Server) visibleMessage(ch *channel, id string) (*message, error) {
	m := s.st.messages[id]
	if m == nil || m.ChannelID != ch.ID || m.EphemeralTo != "" {
		return nil, errUnknown(codeUnknownMessage)
	}
	return m, nil
}

// channelMessage looks up the route's channel, checking the bot holds need
// there, and then the visible message the route names. Caller holds s.mu.
func (s *Server) channelMessage(rc *restCall, need uint64) (*channel, *message, error) {
	ch, err := s.channelForBot(rc.param("channel_id"), need)
	if err != nil {
		return nil, nil, err
	}
	m, err := s.visibleMessage(ch, rc.param("message_id"))
	if err != nil {
		return nil, nil, err
	}
	return ch, m, nil
}

func (s *Server) createMessage(rc *restCall) (int, any, error) {
	var b messageBody
	if err := rc.decode(&b); err != nil {
		return 0, nil, err
	}
	ch, err := s.channelForBot(rc.param("channel_id"), PermViewChannel|PermSendMessages)
	if err != nil {
		return 0, nil, err
	}
	if ch.Type == ChannelGuildCategory {
		return 0, nil, apiErr(http.StatusBadRequest, codeCannotExecuteOnChannel, "Cannot execute action on this channel type")
	}
	if b.empty() {
		return 0, nil, errEmptyMessage
	}
	if ch.Type == ChannelDM && !s.sharesGuildWithBot(ch.RecipientID) {
		// Discord refuses DMs to users the bot has no guild in common with.
		return 0, nil, apiErr(http.StatusForbidden, codeCannotSendToUser, "Cannot send messages to this user")
	}
	nonce := nonceString(b.Nonce)
	key := nonceKey{ch.ID, s.opts.BotUserID, nonce}
	if b.EnforceNonce && nonce != "" {
		if e, ok := s.st.nonces[key]; ok && s.now().Sub(e.at) < nonceWindow {
			if m := s.st.messages[e.messageID]; m != nil {
				return http.StatusOK, s.messageJSON(m), nil
			}
		}
	}
	typ := msgTypeDefault
	if !isEmptyJSON(b.MessageReference) {
		var ref struct {
			MessageID       string `json:"message_id"`
			FailIfNotExists *bool  `json:"fail_if_not_exists"`
		}
		_ = json.Unmarshal(b.MessageReference, &ref)
		if _, err := s.visibleMessage(ch, ref.MessageID); err != nil && (ref.FailIfNotExists == nil || *ref.FailIfNotExists) {
			return 0, nil, formError("message_reference", codeUnknownRefMsg, "Unknown message")
		}
		if err := s.requireChannelPerms(ch, PermReadMessageHistory); err != nil {
			return 0, nil, err
		}
		typ = msgTypeReply
	}
	m, ev := s.newMessageLocked(ch, s.opts.BotUserID, b, typ)
	if b.EnforceNonce && nonce != "" {
		s.st.nonces[key] = nonceEntry{messageID: m.ID, at: m.Timestamp}
	}
	rc.emit(ev...)
	return http.StatusOK, s.messageJSON(m), nil
}

// sharesGuildWithBot reports whether userID and the bot share a guild.
// Caller holds s.mu.
func (s *Server) sharesGuildWithBot(userID string) bool {
	for _, g := range s.st.guilds {
		if g.Members[userID] != nil && g.Members[s.opts.BotUserID] != nil {
			return true
		}
	}
	return false
}

// nonceString normalises a nonce (Discord accepts an integer or a string).
func nonceString(r json.RawMessage) string {
	var str string
	if json.Unmarshal(r, &str) == nil {
		return str
	}
	var n json.Number
	if json.Unmarshal(r, &n) == nil {
		return n.String()
	}
	return ""
}

func (s *Server) listMessages(rc *restCall) (int, any, error) {
	limit, err := rc.limit(50, 100)
	if err != nil {
		return 0, nil, err
	}
	before, after, around := rc.query.Get("before"), rc.query.Get("after"), rc.query.Get("around")
	ch, err := s.channelForBot(rc.param("channel_id"), PermViewChannel)
	if err != nil {
		return 0, nil, err
	}
	if s.requireChannelPerms(ch, PermReadMessageHistory) != nil {
		// Documented: without READ_MESSAGE_HISTORY no messages are returned.
		return http.StatusOK, []any{}, nil
	}
	var visible []*message
	for _, mid := range s.st.channelMsgs[ch.ID] {
		if m := s.st.messages[mid]; m.EphemeralTo == "" {
			visible = append(visible, m)
		}
	}
	var picked []*message
	switch {
	case after != "":
		for _, m := range visible {
			if snowflakeLess(after, m.ID) && len(picked) < limit {
				picked = append(picked, m)
			}
		}
	case around != "":
		idx := len(visible)
		for i, m := range visible {
			if !snowflakeLess(m.ID, around) {
				idx = i
				break
			}
		}
		lo := max(0, idx-limit/2)
		picked = visible[lo:min(len(visible), lo+limit)]
	default:
		for i := len(visible) - 1; i >= 0 && len(picked) < limit; i-- {
			if before == "" || snowflakeLess(visible[i].ID, before) {
				picked = append([]*message{visible[i]}, picked...)
			}
		}
	}
	out := make([]any, 0, len(picked))
	for i := len(picked) - 1; i >= 0; i-- { // newest first, like Discord
		out = append(out, s.messageJSON(picked[i]))
	}
	return http.StatusOK, out, nil
}

func (s *Server) getMessage(rc *restCall) (int, any, error) {
	_, m, err := s.channelMessage(rc, PermViewChannel|PermReadMessageHistory)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, s.messageJSON(m), nil
}

func (s *Server) editMessage(rc *restCall) (int, any, error) {
	_, m, err := s.channelMessage(rc, PermViewChannel)
	if err != nil {
		return 0, nil, err
	}
	if m.AuthorID != s.opts.BotUserID {
		return 0, nil, apiErr(http.StatusForbidden, codeCannotEditOthers, "Cannot edit a message authored by another user")
	}
	ev, err := s.patchMessageLocked(m, rc.body, true)
	if err != nil {
		return 0, nil, err
	}
	rc.emit(ev...)
	return http.StatusOK, s.messageJSON(m), nil
}

func (s *Server) deleteMessage(rc *restCall) (int, any, error) {
	ch, m, err := s.channelMessage(rc, PermViewChannel)
	if err != nil {
		return 0, nil, err
	}
	if m.AuthorID != s.opts.BotUserID {
		if err := s.requireChannelPerms(ch, PermManageMessages); err != nil {
			return 0, nil, err
		}
	}
	rc.emit(s.deleteMessageLocked(m)...)
	return http.StatusNoContent, nil, nil
}

// pinPerms: Discord now gates pins on PIN_MESSAGES; MANAGE_MESSAGES kept
// working during the transition, so either is accepted.
func (s *Server) requirePinPerms(ch *channel) error {
	if err := s.requireChannelPerms(ch, PermPinMessages); err == nil {
		return nil
	}
	return s.requireChannelPerms(ch, PermManageMessages)
}

func (s *Server) pinMessage(rc *restCall) (int, any, error) {
	return s.setPinned(rc, true)
}

func (s *Server) unpinMessage(rc *restCall) (int, any, error) {
	return s.setPinned(rc, false)
}

func (s *Server) setPinned(rc *restCall, pinned bool) (int, any, error) {
	ch, err := s.channelForBot(rc.param("channel_id"), PermViewChannel)
	if err == nil {
		err = s.requirePinPerms(ch)
	}
	if err != nil {
		return 0, nil, err
	}
	m, err := s.visibleMessage(ch, rc.param("message_id"))
	if err != nil {
		return 0, nil, err
	}
	if pinned && !m.Pinned {
		if len(s.pinsLocked(ch)) >= maxPins {
			return 0, nil, apiErr(http.StatusBadRequest, codeMaxPins, "Maximum number of pins reached (50)")
		}
		m.Pinned = true
		m.pinnedAt = s.now()
		rc.emit(s.messageEvent("MESSAGE_UPDATE", m)...)
		// Discord posts a "pinned a message" system message.
		ref, _ := json.Marshal(map[string]any{"type": 0, "channel_id": ch.ID, "message_id": m.ID, "guild_id": nullable(ch.GuildID)})
		_, sysEv := s.newMessageLocked(ch, s.opts.BotUserID, messageBody{MessageReference: ref}, msgTypeChannelPinned)
		rc.emit(sysEv...)
	} else if !pinned && m.Pinned {
		m.Pinned = false
		rc.emit(s.messageEvent("MESSAGE_UPDATE", m)...)
	}
	payload := map[string]any{"channel_id": ch.ID, "last_pin_timestamp": nil}
	if ch.GuildID != "" {
		payload["guild_id"] = ch.GuildID
	}
	if pins := s.pinsLocked(ch); len(pins) > 0 {
		payload["last_pin_timestamp"] = fmtTime(pins[0].pinnedAt)
	}
	rc.emit(pendingEvent{guildID: ch.GuildID, name: "CHANNEL_PINS_UPDATE", data: payload})
	return http.StatusNoContent, nil, nil
}

// pinsLocked returns pinned messages, most recently pinned first.
func (s *Server) pinsLocked(ch *channel) []*message {
	var pins []*message
	for _, mid := range s.st.channelMsgs[ch.ID] {
		if m := s.st.messages[mid]; m.Pinned {
			pins = append(pins, m)
		}
	}
	for i := 1; i < len(pins); i++ { // insertion sort by pinnedAt desc
		for j := i; j > 0 && pins[j].pinnedAt.After(pins[j-1].pinnedAt); j-- {
			pins[j], pins[j-1] = pins[j-1], pins[j]
		}
	}
	return pins
}

func (s *Server) listPinsLegacy(rc *restCall) (int, any, error) {
	ch, err := s.channelForBot(rc.param("channel_id"), PermViewChannel|PermReadMessageHistory)
	if err != nil {
		return 0, nil, err
	}
	out := []any{}
	for _, m := range s.pinsLocked(ch) {
		out = append(out, s.messageJSON(m))
	}
	return http.StatusOK, out, nil
}

func (s *Server) listPinsNew(rc *restCall) (int, any, error) {
	ch, err := s.channelForBot(rc.param("channel_id"), PermViewChannel|PermReadMessageHistory)
	if err != nil {
		return 0, nil, err
	}
	limit := 50
	if v, err := strconv.Atoi(rc.query.Get("limit")); err == nil && v >= 1 && v <= 50 {
		limit = v
	}
	var before time.Time
	if v := rc.query.Get("before"); v != "" {
		before, _ = time.Parse(time.RFC3339Nano, v)
	}
	items := []any{}
	pins := s.pinsLocked(ch)
	hasMore := false
	for _, m := range pins {
		if !before.IsZero() && !m.pinnedAt.Before(before) {
			continue
		}
		if len(items) == limit {
			hasMore = true
			break
		}
		items = append(items, map[string]any{"pinned_at": fmtTime(m.pinnedAt), "message": s.messageJSON(m)})
	}
	return http.StatusOK, map[string]any{"items": items, "has_more": hasMore}, nil
}
