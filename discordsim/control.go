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
	mux.HandleFunc("POST /_sim/guilds", withBody(func(r *http.Request, req struct {
		Name string `json:"name"`
	}) (any, error) {
		return created(s.CreateGuild(req.Name))
	}))
	mux.HandleFunc("GET /_sim/guilds", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.Guilds())
	})
	mux.HandleFunc("POST /_sim/guilds/demo", func(w http.ResponseWriter, r *http.Request) {
		d, err := s.SeedDemoGuild()
		respond(w, d, err)
	})
	mux.HandleFunc("POST /_sim/world", withBody(func(r *http.Request, spec WorldSpec) ([]SeededGuild, error) {
		return s.SeedWorld(spec)
	}))
	mux.HandleFunc("POST /_sim/guilds/{guild_id}/members", withBody(func(r *http.Request, spec MemberSpec) (any, error) {
		return created(s.AddMember(r.PathValue("guild_id"), spec))
	}))
	mux.HandleFunc("DELETE /_sim/guilds/{guild_id}/members/{user_id}", func(w http.ResponseWriter, r *http.Request) {
		respond(w, nil, s.RemoveMember(r.PathValue("guild_id"), r.PathValue("user_id")))
	})
	mux.HandleFunc("PUT /_sim/guilds/{guild_id}/members/{user_id}/roles/{role_id}", func(w http.ResponseWriter, r *http.Request) {
		respond(w, nil, s.AddMemberRole(r.PathValue("guild_id"), r.PathValue("user_id"), r.PathValue("role_id")))
	})
	mux.HandleFunc("POST /_sim/guilds/{guild_id}/roles", withBody(func(r *http.Request, req struct {
		Name        string          `json:"name"`
		Permissions json.RawMessage `json:"permissions"`
	}) (any, error) {
		return created(s.CreateRole(r.PathValue("guild_id"), req.Name, parsePermBits(req.Permissions)))
	}))
	mux.HandleFunc("POST /_sim/guilds/{guild_id}/channels", withBody(func(r *http.Request, spec ChannelSpec) (any, error) {
		return created(s.CreateChannel(r.PathValue("guild_id"), spec))
	}))
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
	mux.HandleFunc("PUT /_sim/channels/{channel_id}/permissions/{overwrite_id}", withBody(func(r *http.Request, ow Overwrite) (any, error) {
		ow.ID = r.PathValue("overwrite_id")
		return nil, s.SetOverwrite(r.PathValue("channel_id"), ow)
	}))
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
	mux.HandleFunc("POST /_sim/interactions", withBody(func(r *http.Request, spec InteractionSpec) (InteractionResult, error) {
		return s.Interact(r.Context(), spec)
	}))
	mux.HandleFunc("GET /_sim/application/interactions-endpoint", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.InteractionsEndpoint())
	})
	mux.HandleFunc("PUT /_sim/application/interactions-endpoint", withBody(func(r *http.Request, req struct {
		URL string `json:"url"`
	}) (InteractionsEndpoint, error) {
		return s.SetInteractionsEndpoint(r.Context(), req.URL)
	}))
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
	mux.HandleFunc("POST /_sim/faults", withBody(func(r *http.Request, f Fault) (any, error) {
		return nil, s.InjectFault(f)
	}))
	mux.HandleFunc("DELETE /_sim/faults", func(w http.ResponseWriter, r *http.Request) {
		s.ClearFaults()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("/_sim/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, map[string]any{"message": "unknown control endpoint " + r.Method + " " + r.URL.Path, "code": 0})
	})
	return mux
}

// withBody serves a control endpoint that takes a JSON body: it decodes
// the body into a Req (400 when it is not JSON) and answers what call
// returns, as respond does.
func withBody[Req, Res any](call func(r *http.Request, req Req) (Res, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var req Req
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
		if err := dec.Decode(&req); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]any{"message": "invalid JSON: " + err.Error(), "code": 0})
			return
		}
		res, err := call(r, req)
		respond(w, res, err)
	}
}

// created is the answer of an endpoint that creates something: its id.
func created(id string, err error) (any, error) {
	return map[string]string{"id": id}, err
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
