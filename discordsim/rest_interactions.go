package discordsim

import (
	"encoding/json"
	"net/http"
)

var (
	errAlreadyAcked = apiErr(http.StatusBadRequest, codeAlreadyAcknowledged, "Interaction has already been acknowledged.")
	errInvalidToken = apiErr(http.StatusUnauthorized, codeInvalidWebhookToken, "Invalid Webhook Token")
)

// allowedCallback reports whether Discord accepts callback type cb for an
// interaction: PONG is for HTTP pings only, updates need a message, a modal
// cannot answer a modal.
func allowedCallback(it *interaction, cb int) bool {
	switch cb {
	case callbackMessage, callbackDeferredMessage:
		return true
	case callbackDeferredUpdate, callbackUpdateMessage:
		return it.Type == InteractionComponent || it.Type == InteractionModalSubmit && it.SourceMessageID != ""
	case callbackModal:
		return it.Type == InteractionCommand || it.Type == InteractionComponent
	case callbackAutocomplete:
		return it.Type == InteractionAutocomplete
	}
	return false
}

func (s *Server) interactionCallback(rc *restCall) (int, any, error) {
	it := s.st.interactions[rc.param("interaction_id")]
	if it == nil || it.Token != rc.param("interaction_token") {
		return 0, nil, errUnknown(codeUnknownInteraction)
	}
	ev, err := s.answerLocked(it, rc.body)
	if err != nil {
		return 0, nil, err
	}
	rc.emit(ev...)
	if rc.query.Get("with_response") != "true" {
		return http.StatusNoContent, nil, nil
	}
	return http.StatusOK, s.callbackResponseJSON(it), nil
}

// answerLocked applies an interaction's initial response (a spec-validated
// callback body), however it came: the REST callback of a gateway
// interaction or the body of the answer to an HTTP delivery. Caller holds
// s.mu and flushes the returned events after unlocking.
func (s *Server) answerLocked(it *interaction, raw []byte) ([]pendingEvent, error) {
	var body struct {
		Type int             `json:"type"`
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(raw, &body); err != nil {
		return nil, formError("_errors", "BASE_TYPE_BAD_JSON", "Invalid JSON: "+err.Error())
	}
	if it.Acked {
		return nil, errAlreadyAcked
	}
	if it.Failed || s.callbackExpired(it) {
		s.markFailed(it)
		return nil, errUnknown(codeUnknownInteraction)
	}
	if !allowedCallback(it, body.Type) {
		return nil, formError("type", "INTERACTION_RESPONSE_TYPE_INVALID", "Interaction response type is invalid for this interaction")
	}
	ev, err := s.applyCallbackLocked(it, body.Type, body.Data)
	if err != nil {
		return nil, err
	}
	it.Acked, it.AckAt, it.AckType = true, s.now(), body.Type
	it.Response = append(json.RawMessage{}, raw...)
	s.notifyInteractions()
	return ev, nil
}

// applyCallbackLocked performs what a callback does to the channel.
func (s *Server) applyCallbackLocked(it *interaction, cb int, data json.RawMessage) ([]pendingEvent, error) {
	ch := s.st.channels[it.ChannelID]
	if ch == nil {
		return nil, errUnknown(codeUnknownChannel)
	}
	switch cb {
	case callbackMessage, callbackDeferredMessage:
		var b messageBody
		if len(data) > 0 {
			if err := json.Unmarshal(data, &b); err != nil {
				return nil, formError("data", "BASE_TYPE_BAD_JSON", err.Error())
			}
		}
		flags := 0
		if b.Flags != nil {
			flags = *b.Flags
		}
		if cb == callbackDeferredMessage {
			// The "Bot is thinking..." placeholder; only EPHEMERAL matters.
			b = messageBody{}
			flags = flags&flagEphemeral | flagLoading
		} else if b.empty() {
			return nil, errEmptyMessage
		}
		b.Flags = &flags
		m, ev := s.newInteractionMessageLocked(it, ch, b)
		it.OriginalID = m.ID
		return ev, nil
	case callbackDeferredUpdate:
		it.OriginalID = it.SourceMessageID
		return nil, nil
	case callbackUpdateMessage:
		m := s.st.messages[it.SourceMessageID]
		if m == nil {
			return nil, errUnknown(codeUnknownMessage)
		}
		it.OriginalID = m.ID
		return s.patchMessageLocked(m, data, true)
	case callbackModal:
		var modal struct {
			CustomID   string          `json:"custom_id"`
			Components json.RawMessage `json:"components"`
		}
		if err := json.Unmarshal(data, &modal); err != nil {
			return nil, formError("data", "BASE_TYPE_BAD_JSON", err.Error())
		}
		// Discord numbers modal components too; submits echo the ids.
		var comps []any
		_ = json.Unmarshal(assignComponentIDs(modal.Components), &comps)
		s.st.modalsShown[it.UserID] = append(s.st.modalsShown[it.UserID], &shownModal{
			CustomID: modal.CustomID, Components: comps, ChannelID: it.ChannelID,
			GuildID: it.GuildID, MessageID: it.SourceMessageID,
		})
		return nil, nil
	}
	return nil, nil
}

// newInteractionMessageLocked creates a response or follow-up message:
// authored by the bot through the application's webhook, ephemeral to the
// user when flag 64 is set.
func (s *Server) newInteractionMessageLocked(it *interaction, ch *channel, b messageBody) (*message, []pendingEvent) {
	typ := msgTypeDefault
	if it.Type == InteractionCommand {
		typ = msgTypeCommand
	}
	b.Nonce, b.MessageReference = nil, nil
	flags := 0
	if b.Flags != nil {
		flags = *b.Flags
	}
	m := &message{
		ID: s.ids.next(), ChannelID: ch.ID, GuildID: ch.GuildID, AuthorID: s.opts.BotUserID, Type: typ,
		Timestamp: s.now(), Embeds: b.Embeds, Components: assignComponentIDs(b.Components), Flags: flags,
		WebhookID: s.opts.AppID, InteractionMeta: s.interactionMetadata(it),
	}
	if b.Content != nil {
		m.Content = *b.Content
	}
	if flags&flagEphemeral != 0 {
		m.EphemeralTo = it.UserID
	}
	return m, s.storeMessageLocked(ch, m)
}

func (s *Server) callbackResponseJSON(it *interaction) map[string]any {
	inter := map[string]any{"id": it.ID, "type": it.Type, "activity_instance_id": nil}
	out := map[string]any{"interaction": inter}
	resource := map[string]any{"type": it.AckType}
	if m := s.st.messages[it.OriginalID]; m != nil && it.AckType != callbackDeferredUpdate {
		inter["response_message_id"] = m.ID
		inter["response_message_loading"] = m.Flags&flagLoading != 0
		inter["response_message_ephemeral"] = m.EphemeralTo != ""
		if it.AckType == callbackMessage || it.AckType == callbackUpdateMessage {
			resource["message"] = s.messageJSON(m)
		}
	}
	out["resource"] = resource
	return out
}

// webhookInteraction resolves an interaction token used as a webhook.
// Caller holds s.mu.
func (s *Server) webhookInteraction(rc *restCall) (*interaction, error) {
	if rc.param("webhook_id") != s.opts.AppID {
		return nil, errUnknown(codeUnknownWebhook)
	}
	var it *interaction
	for _, cand := range s.st.interactions {
		if cand.Token == rc.param("webhook_token") {
			it = cand
			break
		}
	}
	if it == nil {
		return nil, errInvalidToken
	}
	if s.now().After(it.CreatedAt.Add(interactionTokenLifetime)) {
		return nil, errInvalidToken
	}
	if !it.Acked {
		// Follow-ups exist only after the initial response.
		return nil, errUnknown(codeUnknownWebhook)
	}
	return it, nil
}

// webhookMessage resolves the route's interaction token and the message it
// names: the route's message_id, or the original response on the
// …/messages/@original routes, which have none. Caller holds s.mu.
func (s *Server) webhookMessage(rc *restCall) (*interaction, *message, error) {
	it, err := s.webhookInteraction(rc)
	if err != nil {
		return nil, nil, err
	}
	id := rc.param("message_id")
	if id == "" {
		id = it.OriginalID
	}
	m, err := s.ownedMessage(it, id)
	if err != nil {
		return nil, nil, err
	}
	return it, m, nil
}

// ownedMessage returns a message belonging to the interaction.
func (s *Server) ownedMessage(it *interaction, id string) (*message, error) {
	owned := id != "" && id == it.OriginalID
	for _, f := range it.Followups {
		owned = owned || f == id
	}
	m := s.st.messages[id]
	if !owned || m == nil {
		return nil, errUnknown(codeUnknownMessage)
	}
	return m, nil
}

func (s *Server) executeWebhook(rc *restCall) (int, any, error) {
	var b messageBody
	if err := rc.decode(&b); err != nil {
		return 0, nil, err
	}
	it, err := s.webhookInteraction(rc)
	if err != nil {
		return 0, nil, err
	}
	ch := s.st.channels[it.ChannelID]
	if ch == nil {
		return 0, nil, errUnknown(codeUnknownChannel)
	}
	if b.empty() {
		return 0, nil, errEmptyMessage
	}
	var m *message
	var ev []pendingEvent
	if it.AckType == callbackDeferredMessage && !it.OriginalEdited {
		// The first follow-up after a deferred response replaces the
		// "thinking" message, as Discord documents.
		m = s.st.messages[it.OriginalID]
		if m == nil {
			return 0, nil, errUnknown(codeUnknownMessage)
		}
		if ev, err = s.patchMessageLocked(m, rc.body, false); err != nil {
			return 0, nil, err
		}
		it.OriginalEdited = true
	} else {
		m, ev = s.newInteractionMessageLocked(it, ch, b)
		it.Followups = append(it.Followups, m.ID)
	}
	rc.emit(ev...)
	s.notifyInteractions()
	return http.StatusOK, s.messageJSON(m), nil
}

func (s *Server) getWebhookMessage(rc *restCall) (int, any, error) {
	_, m, err := s.webhookMessage(rc)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, s.messageJSON(m), nil
}

func (s *Server) editWebhookMessage(rc *restCall) (int, any, error) {
	it, m, err := s.webhookMessage(rc)
	if err != nil {
		return 0, nil, err
	}
	firstDeferredEdit := m.ID == it.OriginalID && it.AckType == callbackDeferredMessage && !it.OriginalEdited
	ev, err := s.patchMessageLocked(m, rc.body, !firstDeferredEdit)
	if err != nil {
		return 0, nil, err
	}
	rc.emit(ev...)
	if m.ID == it.OriginalID {
		it.OriginalEdited = true
	}
	s.notifyInteractions()
	return http.StatusOK, s.messageJSON(m), nil
}

func (s *Server) deleteWebhookMessage(rc *restCall) (int, any, error) {
	_, m, err := s.webhookMessage(rc)
	if err != nil {
		return 0, nil, err
	}
	rc.emit(s.deleteMessageLocked(m)...)
	s.notifyInteractions()
	return http.StatusNoContent, nil, nil
}
