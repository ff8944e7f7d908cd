package discordsim

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/together-bot/together/discordsim/ratelimit"
)

// restHandler serves one REST route. It runs without s.mu held, unless
// it is registered through Server.locked.
type restHandler func(rc *restCall) (status int, body any, err error)

// locked serves a route with h run under s.mu. The gateway events h queues
// with rc.emit are sent after s.mu is released (and only when h succeeds),
// so no handler sends on the gateway while holding the lock.
func (s *Server) locked(h restHandler) restHandler {
	return func(rc *restCall) (status int, out any, err error) {
		func() {
			s.mu.Lock()
			defer s.mu.Unlock() // also if h panics: net/http recovers, the world stays usable
			status, out, err = h(rc)
		}()
		events := rc.events
		rc.events = nil
		if err != nil {
			return 0, nil, err
		}
		s.flush(events)
		return status, out, nil
	}
}

// restRoute binds a method + path template (in the OpenAPI spec's naming)
// to a handler.
type restRoute struct {
	method   string
	template string
	segs     []string
	// noAuth routes are authenticated by the token in their path
	// (interaction callbacks, webhook executions), like on Discord.
	noAuth  bool
	handler restHandler
}

// restCall is one REST request after routing.
type restCall struct {
	r      *http.Request
	params map[string]string
	query  url.Values
	body   []byte
	route  string
	// events are queued by a locked handler and sent after unlocking.
	events []pendingEvent
}

func (rc *restCall) param(name string) string { return rc.params[name] }

// emit queues gateway events for Server.locked to send once s.mu is free.
func (rc *restCall) emit(events ...pendingEvent) { rc.events = append(rc.events, events...) }

// limit reads the "limit" query parameter: def when absent, and Discord's
// 50035 refusal when it is not a whole number from 1 to most.
func (rc *restCall) limit(def, most int) (int, error) {
	v := rc.query.Get("limit")
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > most {
		return 0, formError("limit", "NUMBER_TYPE_MAX", "int value should be between 1 and "+itoa(most)+".")
	}
	return n, nil
}

// decode unmarshals the (already spec-validated) body.
func (rc *restCall) decode(v any) error {
	if len(bytes.TrimSpace(rc.body)) == 0 {
		return nil
	}
	if err := json.Unmarshal(rc.body, v); err != nil {
		return formError("_errors", "BASE_TYPE_BAD_JSON", "Invalid JSON: "+err.Error())
	}
	return nil
}

func route(method, template string, h restHandler) restRoute {
	return restRoute{method: method, template: template, segs: strings.Split(strings.Trim(template, "/"), "/"), handler: h}
}

func (rt restRoute) unauthenticated() restRoute { rt.noAuth = true; return rt }

// match returns the path params and how many literal segments matched, so
// "/users/@me" beats "/users/{user_id}".
func (rt restRoute) match(segs []string) (map[string]string, int, bool) {
	if len(segs) != len(rt.segs) {
		return nil, 0, false
	}
	params := map[string]string{}
	literal := 0
	for i, seg := range rt.segs {
		if strings.HasPrefix(seg, "{") {
			params[strings.Trim(seg, "{}")] = segs[i]
			continue
		}
		if seg != segs[i] {
			return nil, 0, false
		}
		literal++
	}
	return params, literal, true
}

// resolveRoute picks the emulated handler of a request. When the spec knows
// the path, its template (the spec router tries literal segments before
// parameters, as Discord does) decides: only the handler of that exact
// template may answer, so "/guilds/{guild_id}/members/search" is never
// served by "/guilds/{guild_id}/members/{user_id}". A spec route without a
// handler then falls through to 501 instead of a plausible wrong error.
func (s *Server) resolveRoute(method, path, specTemplate string) (*restRoute, map[string]string, bool) {
	if specTemplate == "" {
		return s.findRoute(method, path)
	}
	segs := strings.Split(strings.Trim(path, "/"), "/")
	for i := range s.routes {
		rt := &s.routes[i]
		if rt.template != specTemplate || rt.method != method {
			continue
		}
		if params, _, ok := rt.match(segs); ok {
			return rt, params, true
		}
	}
	return nil, nil, true
}

func (s *Server) findRoute(method, path string) (*restRoute, map[string]string, bool) {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	var best *restRoute
	var bestParams map[string]string
	bestLit := -1
	pathExists := false
	for i := range s.routes {
		rt := &s.routes[i]
		params, lit, ok := rt.match(segs)
		if !ok {
			continue
		}
		pathExists = true
		if rt.method == method && lit > bestLit {
			best, bestParams, bestLit = rt, params, lit
		}
	}
	return best, bestParams, pathExists
}

// statusWriter records the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// serveREST is the pipeline every /api/v10 request goes through, in
// Discord's order: faults, auth, routing, rate limits, validation, handler.
func (s *Server) serveREST(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	path := strings.TrimPrefix(r.URL.Path, APIPrefix)
	body, _ := io.ReadAll(io.LimitReader(r.Body, 25<<20))
	sw := &statusWriter{ResponseWriter: w}
	specRoute, _, matched := s.validator.Match(r.Method, path)
	logRoute := specRoute
	if !matched {
		logRoute = path
	}
	token := botToken(r)
	var myParams map[string]string
	defer func() {
		s.recordRequest(r.Method, path, logRoute, myParams, sw.status, body, sw.Header(), time.Since(start))
	}()

	if err := s.applyLatency(r.Context()); err != nil {
		return
	}
	if f, ok := s.activeFailure(specRoute); ok {
		writeJSON(sw, f, map[string]any{"message": http.StatusText(f), "code": 0})
		return
	}

	rt, myParams, pathExists := s.resolveRoute(r.Method, path, specRoute)
	if token != "" && s.limiter.InvalidExceeded(token) {
		// Discord's Cloudflare ban after too many 401/403/429s.
		sw.Header().Set("Retry-After", "600")
		writeJSON(sw, http.StatusTooManyRequests, map[string]any{
			"message":     "You are being blocked from accessing our API temporarily due to exceeding our rate limits frequently.",
			"retry_after": 600, "global": true, "code": 0,
		})
		return
	}
	authOK := token == s.opts.Token
	if !(rt != nil && rt.noAuth) && !authOK {
		s.limiter.RecordStatus(token, http.StatusUnauthorized, "")
		writeAPIError(sw, errUnauthorized)
		return
	}
	if !matched && rt == nil {
		status := http.StatusNotFound
		if pathExists {
			status = http.StatusMethodNotAllowed
			writeJSON(sw, status, map[string]any{"message": "405: Method Not Allowed", "code": 0})
		} else {
			writeAPIError(sw, errNotFound)
		}
		s.limiter.RecordStatus(token, status, "")
		return
	}
	if rt == nil {
		s.log.Warn("route in spec but not emulated", "method", r.Method, "route", specRoute)
		writeJSON(sw, http.StatusNotImplemented, map[string]any{"message": "route not emulated by discordsim: " + r.Method + " " + specRoute, "code": 0})
		return
	}
	if specRoute == "" {
		specRoute = rt.template
	}

	rlToken := token
	if tok := myParams["interaction_token"] + myParams["webhook_token"]; rt.noAuth && tok != "" {
		// Interaction endpoints are not bound to the bot's global limit.
		rlToken = "interaction:" + tok
	} else if rlToken == "" {
		host, _, _ := net.SplitHostPort(r.RemoteAddr)
		rlToken = "ip:" + host // unauthenticated calls are limited per client IP
	}
	res := s.limiter.Acquire(ratelimit.Request{
		Token: rlToken, Method: r.Method, Route: specRoute, MajorID: majorID(myParams),
		Exempt: strings.HasSuffix(rt.template, "/callback"),
	})
	for k, vs := range res.Header {
		for _, v := range vs {
			sw.Header().Add(k, v)
		}
	}
	if !res.Allowed {
		s.countRateLimited(res.Global)
		ratelimit.WriteTooManyRequests(sw, res)
		s.limiter.RecordStatus(rlToken, http.StatusTooManyRequests, res.Scope)
		return
	}

	if matched {
		if vs := s.validator.Validate(r.Method, path, r.URL.Query(), r.Header.Get("Content-Type"), body); len(vs) > 0 {
			for i := range vs {
				vs[i].Path = redactPath(vs[i].Path, myParams)
			}
			s.recordViolations(vs)
			writeAPIError(sw, invalidFormBody(vs))
			s.limiter.RecordStatus(rlToken, http.StatusBadRequest, res.Scope)
			return
		}
	}

	rc := &restCall{r: r, params: myParams, query: r.URL.Query(), body: jsonPayload(r.Header.Get("Content-Type"), body), route: rt.template}
	status, out, err := rt.handler(rc)
	if err != nil {
		writeAPIError(sw, err)
	} else if out == nil {
		sw.WriteHeader(status)
	} else {
		writeJSON(sw, status, out)
	}
	s.limiter.RecordStatus(rlToken, sw.status, res.Scope)
}

// jsonPayload returns the JSON part of a body: the body itself, or the
// payload_json field of a multipart/form-data upload (files are not kept).
func jsonPayload(contentType string, body []byte) []byte {
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil || mediaType != "multipart/form-data" {
		return body
	}
	mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	for {
		part, err := mr.NextPart()
		if err != nil {
			return nil
		}
		if part.FormName() == "payload_json" {
			b, _ := io.ReadAll(part)
			return b
		}
	}
}

// botToken extracts T from "Authorization: Bot T".
func botToken(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if t, ok := strings.CutPrefix(h, "Bot "); ok {
		return strings.TrimSpace(t)
	}
	return ""
}

// majorID picks the major parameter Discord buckets by.
func majorID(params map[string]string) string {
	for _, k := range []string{"channel_id", "guild_id", "webhook_id", "interaction_token"} {
		if v := params[k]; v != "" {
			if k == "webhook_id" && params["webhook_token"] != "" {
				return v + "/" + params["webhook_token"]
			}
			return v
		}
	}
	return ""
}

func (s *Server) applyLatency(ctx context.Context) error {
	d := s.currentLatency()
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// restRoutes lists the emulated routes. Most handlers read or change the
// world and run under s.locked; the others take what lock they need.
func (s *Server) restRoutes() []restRoute {
	return []restRoute{
		route("GET", "/gateway", s.getGateway).unauthenticated(), // public on Discord
		route("GET", "/gateway/bot", s.getGatewayBot),
		route("GET", "/users/@me", s.locked(s.getCurrentUser)),
		route("GET", "/applications/@me", s.locked(s.getCurrentApplication)),
		route("GET", "/users/{user_id}", s.locked(s.getUser)),
		route("POST", "/users/@me/channels", s.locked(s.createDM)),
		route("DELETE", "/users/@me/guilds/{guild_id}", s.leaveGuild),

		route("GET", "/applications/{application_id}/commands", s.locked(s.listCommands)),
		route("PUT", "/applications/{application_id}/commands", s.locked(s.bulkOverwriteCommands)),
		route("POST", "/applications/{application_id}/commands", s.locked(s.createCommand)),
		route("GET", "/applications/{application_id}/commands/{command_id}", s.locked(s.getCommand)),
		route("PATCH", "/applications/{application_id}/commands/{command_id}", s.locked(s.editCommand)),
		route("DELETE", "/applications/{application_id}/commands/{command_id}", s.locked(s.deleteCommand)),
		route("GET", "/applications/{application_id}/guilds/{guild_id}/commands", s.locked(s.listCommands)),
		route("PUT", "/applications/{application_id}/guilds/{guild_id}/commands", s.locked(s.bulkOverwriteCommands)),
		route("POST", "/applications/{application_id}/guilds/{guild_id}/commands", s.locked(s.createCommand)),
		route("GET", "/applications/{application_id}/guilds/{guild_id}/commands/{command_id}", s.locked(s.getCommand)),
		route("GET", "/applications/{application_id}/guilds/{guild_id}/commands/permissions", s.locked(s.listGuildCommandPermissions)),
		route("PATCH", "/applications/{application_id}/guilds/{guild_id}/commands/{command_id}", s.locked(s.editCommand)),
		route("DELETE", "/applications/{application_id}/guilds/{guild_id}/commands/{command_id}", s.locked(s.deleteCommand)),

		route("GET", "/channels/{channel_id}/messages", s.locked(s.listMessages)),
		route("POST", "/channels/{channel_id}/messages", s.locked(s.createMessage)),
		route("GET", "/channels/{channel_id}/messages/{message_id}", s.locked(s.getMessage)),
		route("PATCH", "/channels/{channel_id}/messages/{message_id}", s.locked(s.editMessage)),
		route("DELETE", "/channels/{channel_id}/messages/{message_id}", s.locked(s.deleteMessage)),
		route("GET", "/channels/{channel_id}/messages/pins", s.locked(s.listPinsNew)),
		route("PUT", "/channels/{channel_id}/messages/pins/{message_id}", s.locked(s.pinMessage)),
		route("DELETE", "/channels/{channel_id}/messages/pins/{message_id}", s.locked(s.unpinMessage)),
		route("GET", "/channels/{channel_id}/pins", s.locked(s.listPinsLegacy)),
		route("PUT", "/channels/{channel_id}/pins/{message_id}", s.locked(s.pinMessage)),
		route("DELETE", "/channels/{channel_id}/pins/{message_id}", s.locked(s.unpinMessage)),

		route("GET", "/channels/{channel_id}", s.locked(s.getChannel)),
		route("PATCH", "/channels/{channel_id}", s.locked(s.modifyChannel)),
		route("DELETE", "/channels/{channel_id}", s.locked(s.deleteChannelREST)),
		route("PUT", "/channels/{channel_id}/permissions/{overwrite_id}", s.locked(s.putOverwrite)),
		route("DELETE", "/channels/{channel_id}/permissions/{overwrite_id}", s.locked(s.deleteOverwrite)),

		route("GET", "/guilds/{guild_id}", s.locked(s.getGuild)),
		route("GET", "/guilds/{guild_id}/channels", s.locked(s.listGuildChannels)),
		route("POST", "/guilds/{guild_id}/channels", s.locked(s.createGuildChannel)),
		route("GET", "/guilds/{guild_id}/members", s.locked(s.listMembers)),
		route("GET", "/guilds/{guild_id}/members/{user_id}", s.locked(s.getMember)),
		route("GET", "/guilds/{guild_id}/members/search", s.locked(s.searchMembers)),
		route("GET", "/guilds/{guild_id}/roles", s.locked(s.listRoles)),

		route("POST", "/interactions/{interaction_id}/{interaction_token}/callback", s.locked(s.interactionCallback)).unauthenticated(),
		route("POST", "/webhooks/{webhook_id}/{webhook_token}", s.locked(s.executeWebhook)).unauthenticated(),
		route("GET", "/webhooks/{webhook_id}/{webhook_token}/messages/@original", s.locked(s.getWebhookMessage)).unauthenticated(),
		route("PATCH", "/webhooks/{webhook_id}/{webhook_token}/messages/@original", s.locked(s.editWebhookMessage)).unauthenticated(),
		route("DELETE", "/webhooks/{webhook_id}/{webhook_token}/messages/@original", s.locked(s.deleteWebhookMessage)).unauthenticated(),
		route("GET", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}", s.locked(s.getWebhookMessage)).unauthenticated(),
		route("PATCH", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}", s.locked(s.editWebhookMessage)).unauthenticated(),
		route("DELETE", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}", s.locked(s.deleteWebhookMessage)).unauthenticated(),
	}
}
