package discordsim

import (
	"net/http"
)

func (s *Server) getGateway(rc *restCall) (int, any, error) {
	return http.StatusOK, map[string]any{"url": s.gatewayURLFor(rc.r)}, nil
}

func (s *Server) getGatewayBot(rc *restCall) (int, any, error) {
	return http.StatusOK, map[string]any{
		"url":                 s.gatewayURLFor(rc.r),
		"shards":              s.opts.ShardCount,
		"session_start_limit": s.gw.SessionStarts(),
	}, nil
}

func (s *Server) getCurrentUser(rc *restCall) (int, any, error) {
	u := s.userJSON(s.opts.BotUserID)
	u["verified"] = true
	u["mfa_enabled"] = false
	u["locale"] = "en-US"
	u["email"] = nil
	return http.StatusOK, u, nil
}

// getCurrentApplication is GET /applications/@me: the bot's application, with
// its bot user, as Discord returns it to a bot token.
func (s *Server) getCurrentApplication(rc *restCall) (int, any, error) {
	return http.StatusOK, map[string]any{
		"id":                        s.opts.AppID,
		"name":                      s.opts.BotUsername,
		"icon":                      nil,
		"description":               "",
		"bot_public":                true,
		"bot_require_code_grant":    false,
		"verify_key":                s.PublicKey(),
		"interactions_endpoint_url": nullable(s.endpointURL),
		"flags":                     0,
		"bot":                       s.userJSON(s.opts.BotUserID),
		"summary":                   "",
		"team":                      nil,
	}, nil
}

func (s *Server) getUser(rc *restCall) (int, any, error) {
	u := s.userJSON(rc.param("user_id"))
	if u == nil {
		return 0, nil, errUnknown(codeUnknownUser)
	}
	return http.StatusOK, u, nil
}

// createDM opens (or returns the existing) DM channel with a user.
func (s *Server) createDM(rc *restCall) (int, any, error) {
	var req struct {
		RecipientID string `json:"recipient_id"`
	}
	if err := rc.decode(&req); err != nil {
		return 0, nil, err
	}
	u := s.st.users[req.RecipientID]
	if u == nil {
		return 0, nil, errUnknown(codeUnknownUser)
	}
	if u.Bot {
		// Discord refuses DMs between bots.
		return 0, nil, apiErr(http.StatusBadRequest, codeCannotExecuteOnChannel, "Cannot send messages to this user")
	}
	if cid, ok := s.st.dms[u.ID]; ok {
		return http.StatusOK, s.channelJSON(s.st.channels[cid]), nil
	}
	ch := &channel{ID: s.ids.next(), Type: ChannelDM, RecipientID: u.ID}
	s.st.channels[ch.ID] = ch
	s.st.dms[u.ID] = ch.ID
	return http.StatusOK, s.channelJSON(ch), nil
}
