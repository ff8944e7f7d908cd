// Package discordsim is a faithful in-process emulator of the parts of
// Discord's REST API and gateway that together uses. See docs/emulator.md.
package discordsim

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/together-bot/together/discordsim/gateway"
	"github.com/together-bot/together/discordsim/ratelimit"
	"github.com/together-bot/together/discordsim/specvalidate"
)

// APIPrefix is where the REST API is mounted.
const APIPrefix = "/api/v10"

// gatewayPath is where the websocket gateway listens; GET /gateway returns it.
const gatewayPath = "/gateway-ws"

// Server is one emulated Discord: REST API, gateway and control API.
type Server struct {
	opts      Options
	log       *slog.Logger
	ids       *idGenerator
	limiter   *ratelimit.Limiter
	validator *specvalidate.Validator
	gw        *gateway.Server
	handler   http.Handler
	routes    []restRoute

	mu         sync.Mutex
	st         *state
	violations []specvalidate.Violation
	stats      statsCounters
	reqLog     *requestLog
	live       *liveFeed
	faults     []activeFault
	// interactionChanged is closed and replaced whenever an interaction
	// changes state, so waiters can block without polling state.
	interactionChanged chan struct{}
	// endpointURL is the Interactions Endpoint URL ("": the gateway).
	endpointURL string

	// signingKey is the application's Ed25519 key pair; Discord signs HTTP
	// interactions with it and shows the public half as the public key.
	signingKey     ed25519.PrivateKey
	endpointClient *http.Client

	// dispatchHook lets in-package tests observe gateway dispatches.
	dispatchHook func(guildID, event string, data any)

	// leftGuilds are guilds the bot left (DELETE /users/@me/guilds/{id});
	// their events no longer reach it.
	leftMu     sync.Mutex
	leftGuilds map[string]bool

	hostMu   sync.Mutex
	baseURL  string // set by Start
	lastHost string // Host header of the latest request, for httptest use
	httpSrv  *http.Server
	conns    connStates
	closed   bool
}

// New builds a Server. It does not listen; call Start or mount Handler.
func New(opts Options) (*Server, error) {
	opts = opts.withDefaults()
	v, err := specvalidate.New()
	if err != nil {
		return nil, fmt.Errorf("discordsim: loading OpenAPI spec: %w", err)
	}
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("discordsim: application key pair: %w", err)
	}
	s := &Server{
		signingKey:         key,
		endpointClient:     &http.Client{},
		opts:               opts,
		log:                opts.Logger.With("component", "discordsim"),
		ids:                &idGenerator{now: opts.Now},
		limiter:            ratelimit.New(opts.Limits, opts.Now),
		validator:          v,
		st:                 newState(),
		reqLog:             newRequestLog(opts.RequestLogSize),
		live:               newLiveFeed(),
		interactionChanged: make(chan struct{}),
	}
	s.stats.byRoute = map[string]int{}
	s.st.users[opts.BotUserID] = &user{ID: opts.BotUserID, Username: opts.BotUsername, Bot: true}
	s.gw = gateway.NewServer(gateway.Options{
		Token:             opts.Token,
		HeartbeatInterval: opts.HeartbeatInterval,
		ShardCountHint:    opts.ShardCount,
		MaxConcurrency:    opts.MaxConcurrency,
		SessionStartTotal: opts.SessionStartTotal,
		Ready:             s.readyData,
		GuildCreates:      s.guildCreates,
		GuildMembers:      s.guildMembersForGateway,
		Logger:            opts.Logger.With("component", "discordsim.gateway"),
		Now:               opts.Now,
	})
	s.routes = s.restRoutes()
	mux := http.NewServeMux()
	mux.Handle(APIPrefix+"/", http.HandlerFunc(s.serveREST))
	mux.Handle(gatewayPath, s.gw)
	mux.Handle("/_sim/", s.controlMux())
	mux.Handle(playgroundPath, playgroundHandler())
	mux.Handle("GET /{$}", http.RedirectHandler(playgroundPath, http.StatusFound))
	s.handler = s.rememberHost(mux)
	return s, nil
}

// Handler returns the root handler (REST, gateway, control API), e.g. for
// httptest.NewServer.
func (s *Server) Handler() http.Handler { return s.handler }

// Start listens on addr (Options.Addr when empty, "127.0.0.1:0" when both
// are empty) and serves in the background.
func (s *Server) Start(addr string) error {
	if addr == "" {
		addr = s.opts.Addr
	}
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("discordsim: listen %s: %w", addr, err)
	}
	srv := &http.Server{Handler: s.handler, ReadHeaderTimeout: 10 * time.Second, ConnState: s.conns.track}
	s.hostMu.Lock()
	s.baseURL = "http://" + ln.Addr().String()
	s.httpSrv = srv
	s.hostMu.Unlock()
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("serve failed", "err", err)
		}
	}()
	s.log.Info("discord emulator listening", "url", s.baseURL)
	return nil
}

// URL is the base URL ("http://host:port"): set by Start, otherwise learnt
// from the first request received through Handler.
func (s *Server) URL() string {
	s.hostMu.Lock()
	defer s.hostMu.Unlock()
	if s.baseURL != "" {
		return s.baseURL
	}
	if s.lastHost != "" {
		return "http://" + s.lastHost
	}
	return ""
}

// APIURL is URL()+"/api/v10", the value for DISCORD_API_URL.
func (s *Server) APIURL() string { return s.URL() + APIPrefix }

// Token is the bot token the server accepts.
func (s *Server) Token() string { return s.opts.Token }

// AppID is the application id.
func (s *Server) AppID() string { return s.opts.AppID }

// BotUserID is the bot user's id.
func (s *Server) BotUserID() string { return s.opts.BotUserID }

// Close stops the gateway and, when Start was used, the HTTP server.
func (s *Server) Close() error {
	s.hostMu.Lock()
	if s.closed {
		s.hostMu.Unlock()
		return nil
	}
	s.closed = true
	srv := s.httpSrv
	s.hostMu.Unlock()
	s.live.close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.gw.Shutdown(ctx); err != nil {
		s.log.Warn("gateway shutdown", "err", err)
	}
	if srv == nil {
		return nil
	}
	err := srv.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		// net/http waits 5 s for a connection that never sent a request
		// (an HTTP client may dial one it then does not use): not a request
		// left running. Only requests still being served are an error.
		busy := s.conns.active()
		_ = srv.Close()
		if busy == 0 {
			return nil
		}
		return fmt.Errorf("discordsim: %d requests still running at close: %w", busy, err)
	}
	return err
}

// connStates follows the HTTP server's connections, so Close can tell a
// request still running from a connection that never carried one.
type connStates struct {
	mu sync.Mutex
	m  map[net.Conn]http.ConnState
}

func (c *connStates) track(conn net.Conn, st http.ConnState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[net.Conn]http.ConnState{}
	}
	switch st {
	case http.StateClosed, http.StateHijacked:
		delete(c.m, conn)
	default:
		c.m[conn] = st
	}
}

// active counts connections serving a request.
func (c *connStates) active() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, st := range c.m {
		if st == http.StateActive {
			n++
		}
	}
	return n
}

func (s *Server) rememberHost(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hostMu.Lock()
		if s.baseURL == "" && r.Host != "" {
			s.lastHost = r.Host
		}
		s.hostMu.Unlock()
		next.ServeHTTP(w, r)
	})
}

// gatewayURLFor is the websocket URL handed out by GET /gateway(/bot):
// the host the bot reached us on, so it works behind httptest and proxies.
func (s *Server) gatewayURLFor(r *http.Request) string {
	scheme := "ws"
	if r.TLS != nil {
		scheme = "wss"
	}
	return scheme + "://" + r.Host + gatewayPath
}

// GatewayURL is the websocket URL of the gateway (empty before the first
// request when Start was not used).
func (s *Server) GatewayURL() string {
	return "ws" + strings.TrimPrefix(s.URL(), "http") + gatewayPath
}

// readyData answers the gateway's READY for one shard.
func (s *Server) readyData(shardID, shardCount int) gateway.ReadyData {
	s.mu.Lock()
	defer s.mu.Unlock()
	userRaw, _ := json.Marshal(s.userJSON(s.opts.BotUserID))
	var ids []string
	for _, gid := range s.st.guildOrder {
		if shardFor(gid, shardCount) == shardID && s.botMember(s.st.guilds[gid]) != nil {
			ids = append(ids, gid)
		}
	}
	return gateway.ReadyData{User: userRaw, ApplicationID: s.opts.AppID, GuildIDs: ids}
}

// guildCreates returns the GUILD_CREATE payloads sent after READY.
func (s *Server) guildCreates(shardID, shardCount, largeThreshold int) []json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []json.RawMessage
	for _, gid := range s.st.guildOrder {
		if shardFor(gid, shardCount) != shardID || s.botMember(s.st.guilds[gid]) == nil {
			continue
		}
		raw, err := json.Marshal(s.guildCreateJSON(s.st.guilds[gid], largeThreshold))
		if err == nil {
			out = append(out, raw)
		}
	}
	return out
}

// guildMembersForGateway answers Request Guild Members (op 8).
func (s *Server) guildMembersForGateway(req gateway.MemberRequest) []json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.st.guilds[req.GuildID]
	if g == nil {
		return nil
	}
	var out []json.RawMessage
	for _, uid := range g.MemberOrder {
		u := s.st.users[uid]
		switch {
		case len(req.UserIDs) > 0 && !slices.Contains(req.UserIDs, uid):
			continue
		case len(req.UserIDs) == 0 && !strings.HasPrefix(strings.ToLower(u.Username), strings.ToLower(req.Query)):
			continue
		}
		if req.Limit > 0 && len(out) >= req.Limit {
			break
		}
		raw, err := json.Marshal(s.memberJSON(g, g.Members[uid], true))
		if err == nil {
			out = append(out, raw)
		}
	}
	return out
}

// GatewayShards reports the gateway sessions (connected, seq, ...).
func (s *Server) GatewayShards() []gateway.ShardState { return s.gw.Shards() }

// GatewayViolations are the gateway rules the bot broke: a shard connected
// twice at once, an identify beyond the session start limit.
func (s *Server) GatewayViolations() []gateway.Violation { return s.gw.Violations() }

// shardFor is Discord's sharding formula.
func shardFor(guildID string, shardCount int) int {
	if shardCount <= 1 {
		return 0
	}
	var id uint64
	fmt.Sscan(guildID, &id)
	return int((id >> 22) % uint64(shardCount))
}

// dispatch sends a gateway event. Payloads are marshalled by the caller
// (under s.mu) so the gateway never sees live state.
func (s *Server) dispatch(guildID, event string, data any) {
	s.live.publishDispatch(guildID, event, data)
	if guildID != "" && s.botLeft(guildID) {
		return
	}
	raw, err := json.Marshal(data)
	if err != nil {
		s.log.Error("marshal dispatch", "event", event, "err", err)
		return
	}
	if s.dispatchHook != nil {
		s.dispatchHook(guildID, event, json.RawMessage(raw))
	}
	s.gw.Dispatch(guildID, event, json.RawMessage(raw))
}

// now is the injectable clock.
func (s *Server) now() time.Time { return s.opts.Now() }

// notifyInteractions wakes everyone waiting on interaction state. Caller
// holds s.mu.
func (s *Server) notifyInteractions() {
	close(s.interactionChanged)
	s.interactionChanged = make(chan struct{})
}
