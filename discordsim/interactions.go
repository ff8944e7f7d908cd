package discordsim

import (
	"encoding/json"
	"time"
)

// Interaction types (what Discord sends).
const (
	InteractionPing            = 1
	InteractionCommand         = 2
	InteractionComponent       = 3
	InteractionAutocomplete    = 4
	InteractionModalSubmit     = 5
	callbackPong               = 1
	callbackMessage            = 4
	callbackDeferredMessage    = 5
	callbackDeferredUpdate     = 6
	callbackUpdateMessage      = 7
	callbackAutocomplete       = 8
	callbackModal              = 9
	defaultAttachmentSizeLimit = 10 << 20
)

// interaction is one interaction sent to the bot and everything it did
// with it. Guarded by Server.mu.
type interaction struct {
	ID        string
	Token     string
	Type      int
	GuildID   string
	ChannelID string
	UserID    string
	CreatedAt time.Time
	// SourceMessageID is the message a component lives on (or the message
	// whose component opened the modal being submitted).
	SourceMessageID string
	CommandName     string

	Acked          bool
	AckAt          time.Time
	AckType        int
	Failed         bool
	Response       json.RawMessage
	OriginalID     string // message created (4/5) or updated (6/7)
	OriginalEdited bool   // a deferred answer got its content
	Followups      []string
}

// expired reports whether the callback window is over. Caller holds s.mu.
func (s *Server) callbackExpired(it *interaction) bool {
	return !s.now().Before(it.CreatedAt.Add(s.opts.InteractionDeadline))
}

// markFailed records an interaction the bot never answered in time: the
// user saw "This interaction failed". Caller holds s.mu.
func (s *Server) markFailed(it *interaction) {
	if it.Failed || it.Acked {
		return
	}
	it.Failed = true
	s.stats.interactionsFailed++
	s.log.Warn("interaction failed: no callback within deadline", "interaction_id", it.ID, "deadline", s.opts.InteractionDeadline)
	s.notifyInteractions()
}

// interactionMetadata is what Discord attaches to response messages.
func (s *Server) interactionMetadata(it *interaction) map[string]any {
	meta := map[string]any{
		"id": it.ID, "type": it.Type, "user": s.userJSON(it.UserID),
		"authorizing_integration_owners": s.integrationOwners(it.GuildID),
	}
	switch it.Type {
	case InteractionCommand:
		meta["name"] = it.CommandName
		meta["command_type"] = 1
	case InteractionComponent:
		meta["interacted_message_id"] = it.SourceMessageID
	}
	return meta
}

func (s *Server) integrationOwners(guildID string) map[string]any {
	if guildID == "" {
		return map[string]any{"0": "0"}
	}
	return map[string]any{"0": guildID}
}
