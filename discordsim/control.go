package discordsim

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
)

// controlMux serves the JSON control API under /_sim/. Every endpoint has
// a Go method on *Server; the handlers only translate HTTP.
func (s *Server) controlMux() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /_sim/guilds", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Name string `json:"name"`
		}
		if !decodeControl(w, r, &req) {
			return
		}
		id, err := s.CreateGuild(req.Name)
		respondID(w, id, err)
	})
	mux.HandleFunc("GET /_sim/guilds", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.Guilds())
	})
	mux.HandleFunc("POST /_sim/guilds/demo", func(w http.ResponseWriter, r *http.Request) {
		d, err := s.SeedDemoGuild()
		respond(w, d, err)
	})
	mux.HandleFunc("POST /_sim/world", func(w http.ResponseWriter, r *http.Request) {
		var spec WorldSpec
		if !decodeControl(w, r, &spec) {
			return
		}
		guilds, err := s.SeedWorld(spec)
		respond(w, guilds, err)
	})
	mux.HandleFunc("POST /_sim/guilds/{guild_id}/members", func(w http.ResponseWriter, r *http.Request) {
		var spec MemberSpec
		if !decodeControl(w, r, &spec) {
			return
		}
		id, err := s.AddMember(r.PathValue("guild_id"), spec)
		respondID(w, id, err)
	})
	mux.HandleFunc("DELETE /_sim/guilds/{guild_id}/members/{user_id}", func(w http.ResponseWriter, r *http.Request) {
		respond(w, nil, s.RemoveMember(r.PathValue("guild_id"), r.PathValue("user_id")))
	})
	mux.HandleFunc("PUT /_sim/guilds/{guild_id}/members/{user_id}/roles/{role_id}", func(w http.ResponseWriter, r *http.Request) {
		respond(w, nil, s.AddMemberRole(r.PathValue("guild_id"), r.PathValue("user_id"), r.PathValue("role_id")))
	})
	mux.HandleFunc("POST /_sim/guilds/{guild_id}/roles", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Name        string          `json:"name"`
			Permissions json.RawMessage `json:"permissions"`
		}
		if !decodeControl(w, r, &req) {
			return
		}
		id, err := s.CreateRole(r.PathValue("guild_id"), req.Name, parsePermBits(req.Permissions))
		respondID(w, id, err)
	})
	mux.HandleFunc("POST /_sim/guilds/{guild_id}/channels", func(w http.ResponseWriter, r *http.Request) {
		var spec ChannelSpec
		if !decodeControl(w, r, &spec) {
			return
		}
		id, err := s.CreateChannel(r.PathValue("guild_id"), spec)
		respondID(w, id, err)
	})
	mux.HandleFunc("GET /_sim/guilds/{guild_id}/channels", func(w http.ResponseWriter, r *http.Request) {
		chs, err := s.Channels(r.PathValue("guild_id"))
		respond(w, chs, err)
	})
	mux.HandleFunc("GET /_sim/guilds/{guild_id}/view", func(w http.ResponseWriter, r *http.Request) {
		v, err := s.GuildViewAs(r.PathValue("guild_id"), r.URL.Query().Get("as_user"))
		respond(w, v, err)
	})
	mux.HandleFunc("GET /_sim/events", s.serveEvents)
	mux.HandleFunc("DELETE /_sim/channels/{channel_id}", func(w http.ResponseWriter, r *http.Request) {
		respond(w, nil, s.DeleteChannel(r.PathValue("channel_id")))
	})
	mux.HandleFunc("PUT /_sim/channels/{channel_id}/permissions/{overwrite_id}", func(w http.ResponseWriter, r *http.Request) {
		var body overwriteBody
		if !decodeControl(w, r, &body) {
			return
		}
		ow := Overwrite{ID: r.PathValue("overwrite_id"), Allow: parsePermBits(body.Allow), Deny: parsePermBits(body.Deny)}
		if body.Type != nil {
			ow.Type = *body.Type
		}
		respond(w, nil, s.SetOverwrite(r.PathValue("channel_id"), ow))
	})
	mux.HandleFunc("GET /_sim/channels/{channel_id}/messages", func(w http.ResponseWriter, r *http.Request) {
		// Oldest first by default (reading order, unlike REST's newest
		// first); ?order=newest gives REST's order.
		order := r.URL.Query().Get("order")
		if order != "" && order != "oldest" && order != "newest" {
			respond(w, nil, controlErr(http.StatusBadRequest, "order must be oldest or newest, got %q", order))
			return
		}
		msgs, err := s.MessagesAs(r.PathValue("channel_id"), r.URL.Query().Get("as_user"))
		if err == nil && order == "newest" {
			slices.Reverse(msgs)
		}
		respond(w, msgs, err)
	})
	mux.HandleFunc("DELETE /_sim/channels/{channel_id}/messages/{message_id}", func(w http.ResponseWriter, r *http.Request) {
		respond(w, nil, s.DeleteMessage(r.PathValue("channel_id"), r.PathValue("message_id")))
	})
	mux.HandleFunc("GET /_sim/users/{user_id}/dms", func(w http.ResponseWriter, r *http.Request) {
		msgs, err := s.DMs(r.PathValue("user_id"))
		respond(w, msgs, err)
	})
	mux.HandleFunc("POST /_sim/interactions", func(w http.ResponseWriter, r *http.Request) {
		var spec InteractionSpec
		if !decodeControl(w, r, &spec) {
			return
		}
		res, err := s.Interact(r.Context(), spec)
		respond(w, res, err)
	})
	mux.HandleFunc("GET /_sim/application/interactions-endpoint", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.InteractionsEndpoint())
	})
	mux.HandleFunc("PUT /_sim/application/interactions-endpoint", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			URL string `json:"url"`
		}
		if !decodeControl(w, r, &req) {
			return
		}
		ep, err := s.SetInteractionsEndpoint(r.Context(), req.URL)
		respond(w, ep, err)
	})
	mux.HandleFunc("DELETE /_sim/application/interactions-endpoint", func(w http.ResponseWriter, r *http.Request) {
		_, err := s.SetInteractionsEndpoint(r.Context(), "")
		respond(w, nil, err)
	})
	mux.HandleFunc("POST /_sim/application/interactions-endpoint/check", func(w http.ResponseWriter, r *http.Request) {
		respond(w, nil, s.CheckInteractionsEndpoint(r.Context()))
	})
	mux.HandleFunc("GET /_sim/stats", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.Stats())
	})
	mux.HandleFunc("GET /_sim/violations", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.Violations())
	})
	mux.HandleFunc("GET /_sim/requests", func(w http.ResponseWriter, r *http.Request) {
		reqs := s.Requests()
		if n, err := strconv.Atoi(r.URL.Query().Get("limit")); err == nil && n >= 0 && n < len(reqs) {
			reqs = reqs[len(reqs)-n:]
		}
		writeJSON(w, http.StatusOK, reqs)
	})
	mux.HandleFunc("GET /_sim/gateway/shards", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.gw.Shards())
	})
	mux.HandleFunc("GET /_sim/gateway/violations", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.GatewayViolations())
	})
	mux.HandleFunc("POST /_sim/faults", func(w http.ResponseWriter, r *http.Request) {
		var f Fault
		if !decodeControl(w, r, &f) {
			return
		}
		respond(w, nil, s.InjectFault(f))
	})
	mux.HandleFunc("DELETE /_sim/faults", func(w http.ResponseWriter, r *http.Request) {
		s.ClearFaults()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("/_sim/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, map[string]any{"message": "unknown control endpoint " + r.Method + " " + r.URL.Path, "code": 0})
	})
	return mux
}

func decodeControl(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	if err := dec.Decode(v); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"message": "invalid JSON: " + err.Error(), "code": 0})
		return false
	}
	return true
}

func respondID(w http.ResponseWriter, id string, err error) {
	respond(w, map[string]string{"id": id}, err)
}

func respond(w http.ResponseWriter, v any, err error) {
	if err != nil {
		var ae *APIError
		if errors.As(err, &ae) {
			// Control calls reusing REST validation report it as a 400.
			writeJSON(w, http.StatusBadRequest, map[string]any{"message": ae.Message, "code": ae.Code, "errors": ae.Errors})
			return
		}
		writeAPIError(w, err)
		return
	}
	if v == nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	writeJSON(w, http.StatusOK, v)
}
