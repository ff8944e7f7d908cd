package gateway

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Server is an emulated Discord gateway. It is safe for concurrent use.
type Server struct {
	opts     Options
	log      *slog.Logger
	upgrader websocket.Upgrader

	mu           sync.Mutex
	sessions     map[string]*session
	conns        map[*conn]struct{}
	lastIdentify map[int]time.Time // per max_concurrency bucket
	closed       bool

	// session_start_limit: identifies left in the window ending startsResetAt.
	startsRemaining int
	startsResetAt   time.Time
	// identifiesRefused counts identifies answered with op 9 for coming too
	// early in their bucket.
	identifiesRefused int
	violations        []Violation
	wg                sync.WaitGroup // one per connection being served
}

// ShardState describes one live session (connected or resumable).
type ShardState struct {
	ShardID    int
	ShardCount int
	SessionID  string
	Connected  bool
	Seq        int64
	Identified time.Time
}

// NewServer returns a gateway server; zero Options fields get defaults.
func NewServer(opts Options) *Server {
	opts = opts.withDefaults()
	return &Server{
		opts: opts,
		log:  opts.Logger, // the embedder scopes it (e.g. component=discordsim.gateway)
		upgrader: websocket.Upgrader{
			// Bots send no Origin and the emulator only listens locally.
			CheckOrigin: func(*http.Request) bool { return true },
		},
		sessions:        make(map[string]*session),
		conns:           make(map[*conn]struct{}),
		lastIdentify:    make(map[int]time.Time),
		startsRemaining: opts.SessionStartTotal,
	}
}

// Violation kinds.
const (
	// ViolationDuplicateSession: a shard got a second connected session
	// while its first was still connected (two processes on one shard).
	ViolationDuplicateSession = "duplicate_session"
	// ViolationSessionStartLimit: an identify beyond session_start_limit.
	// Discord then ends every session and resets the token.
	ViolationSessionStartLimit = "session_start_limit"
)

// Violation is a gateway rule the bot broke; tests require none.
type Violation struct {
	Kind       string `json:"kind"`
	ShardID    int    `json:"shard_id"`
	ShardCount int    `json:"shard_count"`
	SessionID  string `json:"session_id,omitempty"`
	// OtherSessionID is the session already connected on the shard.
	OtherSessionID string    `json:"other_session_id,omitempty"`
	At             time.Time `json:"at"`
	Message        string    `json:"message"`
}

// Violations returns every gateway violation recorded so far.
func (s *Server) Violations() []Violation {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Violation{}, s.violations...)
}

// IdentifiesRefused counts identifies refused for the max_concurrency rule.
func (s *Server) IdentifiesRefused() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.identifiesRefused
}

// SessionStartLimit is what GET /gateway/bot reports as session_start_limit.
type SessionStartLimit struct {
	Total          int `json:"total"`
	Remaining      int `json:"remaining"`
	ResetAfterMS   int `json:"reset_after"`
	MaxConcurrency int `json:"max_concurrency"`
}

// SessionStarts reports the session start budget: every accepted identify
// takes one; the budget refills 24 h after the window's first identify.
func (s *Server) SessionStarts() SessionStartLimit {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.opts.Now()
	s.refillStartsLocked(now)
	reset := sessionStartWindow
	if !s.startsResetAt.IsZero() {
		reset = s.startsResetAt.Sub(now)
	}
	return SessionStartLimit{Total: s.opts.SessionStartTotal, Remaining: s.startsRemaining,
		ResetAfterMS: int(reset.Milliseconds()), MaxConcurrency: s.opts.MaxConcurrency}
}

func (s *Server) refillStartsLocked(now time.Time) {
	if !s.startsResetAt.IsZero() && !now.Before(s.startsResetAt) {
		s.startsRemaining, s.startsResetAt = s.opts.SessionStartTotal, time.Time{}
	}
}

// takeSessionStartLocked spends one session start; false when none is left.
func (s *Server) takeSessionStartLocked() bool {
	now := s.opts.Now()
	s.refillStartsLocked(now)
	if s.startsRemaining == 0 {
		return false
	}
	if s.startsResetAt.IsZero() {
		s.startsResetAt = now.Add(sessionStartWindow)
	}
	s.startsRemaining--
	return true
}

// recordDuplicateLocked records a violation when another session of the
// same shard is connected while sess gets a connection.
func (s *Server) recordDuplicateLocked(sess *session, how string) {
	for _, other := range s.sessions {
		if other == sess || other.conn == nil || other.shardID != sess.shardID || other.shardCount != sess.shardCount {
			continue
		}
		v := Violation{Kind: ViolationDuplicateSession, ShardID: sess.shardID, ShardCount: sess.shardCount,
			SessionID: sess.id, OtherSessionID: other.id, At: s.opts.Now(),
			Message: fmt.Sprintf("shard %d/%d %s while session %s is still connected on it", sess.shardID, sess.shardCount, how, other.id)}
		s.violations = append(s.violations, v)
		s.log.Warn("gateway violation", "kind", v.Kind, "shard_id", v.ShardID, "session_id", v.SessionID,
			"other_session_id", v.OtherSessionID)
	}
}

// RecommendedShards returns the values /gateway/bot reports as shards and
// session_start_limit.max_concurrency.
func (s *Server) RecommendedShards() (shards, maxConcurrency int) {
	return s.opts.ShardCountHint, s.opts.MaxConcurrency
}

// ServeHTTP upgrades the request to a gateway connection and serves it
// until it closes.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if e := q.Get("encoding"); e != "" && e != "json" {
		// ETF is not emulated; fail loudly rather than speak JSON to it.
		http.Error(w, "discordsim gateway supports encoding=json only", http.StatusBadRequest)
		return
	}
	enc, err := newEncoder(q.Get("compress"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		http.Error(w, "gateway shutting down", http.StatusServiceUnavailable)
		return
	}
	s.wg.Add(1)
	s.mu.Unlock()
	defer s.wg.Done()

	ws, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		s.log.Warn("websocket upgrade failed", "err", err)
		return
	}
	c := newConn(s, ws, enc, defaultResumeURL(r))
	s.mu.Lock()
	s.conns[c] = struct{}{}
	if s.closed { // Shutdown ran while this connection was upgrading
		c.closeWith(websocket.CloseGoingAway, "shutting down")
	}
	s.mu.Unlock()
	c.serve(q.Get("v") == "10")
}

func defaultResumeURL(r *http.Request) string {
	scheme := "ws"
	if r.TLS != nil {
		scheme = "wss"
	}
	path := r.URL.Path
	if path == "/" {
		path = "" // Discord's resume URLs have no path either
	}
	return scheme + "://" + r.Host + path
}

// Dispatch sends an event to every session whose shard owns guildID ("" is
// a DM and goes to shard 0) and whose intents include the event. data is
// marshalled once; json.RawMessage passes through. Disconnected sessions
// buffer it for resume.
func (s *Server) Dispatch(guildID string, event string, data any) {
	raw, err := json.Marshal(data)
	if err != nil {
		s.log.Error("dispatch: marshal data", "event", event, "err", err)
		return
	}
	if _, ok := shardFor(guildID, 1); !ok {
		s.log.Error("dispatch: malformed guild id", "event", event, "guild_id", guildID)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.opts.Now()
	for _, sess := range s.sessions {
		if s.expired(sess, now) {
			s.endSession(sess, "resume window expired")
			continue
		}
		if shard, _ := shardFor(guildID, sess.shardCount); shard != sess.shardID {
			continue
		}
		if !wantsEvent(sess.intents, event, guildID != "") {
			continue
		}
		if !s.push(sess, event, raw, true) {
			s.endSession(sess, "resume buffer overflow")
		}
	}
}

// Close closes every connection with code. Sessions stay resumable unless
// the code means "start a new session" (see endsSession).
func (s *Server) Close(code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		s.kickLocked(c, code, closeText(code))
	}
}

// Reconnect sends op 7 to every connection; clients should resume.
func (s *Server) Reconnect() { s.broadcast(encodeOp(opReconnect, nil)) }

// InvalidSession sends op 9 with d=resumable to every identified
// connection. With false the session ends; with true it stays resumable.
// Either way the connection is unauthenticated afterwards, as on Discord.
func (s *Server) InvalidSession(resumable bool) {
	frame := encodeOp(opInvalidSession, resumable)
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		if c.sess == nil {
			continue
		}
		if resumable {
			s.detach(c.sess)
		} else {
			s.endSession(c.sess, "invalid session fault")
		}
		c.enqueue(frame)
		c.restartAuthTimer()
	}
}

// RequestHeartbeat sends op 1 to every connection; clients must answer
// with a heartbeat immediately.
func (s *Server) RequestHeartbeat() { s.broadcast(encodeOp(opHeartbeat, nil)) }

// broadcast queues frame on every connection, identified or not.
func (s *Server) broadcast(frame []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		c.enqueue(frame)
	}
}

// Shards lists live sessions ordered by shard ID, then identify time.
func (s *Server) Shards() []ShardState {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.opts.Now()
	out := make([]ShardState, 0, len(s.sessions))
	for _, sess := range s.sessions {
		if s.expired(sess, now) {
			s.endSession(sess, "resume window expired")
			continue
		}
		out = append(out, ShardState{
			ShardID:    sess.shardID,
			ShardCount: sess.shardCount,
			SessionID:  sess.id,
			Connected:  sess.conn != nil,
			Seq:        sess.seq,
			Identified: sess.identified,
		})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].ShardID != out[j].ShardID {
			return out[i].ShardID < out[j].ShardID
		}
		return out[i].Identified.Before(out[j].Identified)
	})
	return out
}

// Shutdown closes every connection with 1001 and refuses new ones, then
// waits for connections to finish or ctx to end.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closed = true
	for c := range s.conns {
		c.closeWith(websocket.CloseGoingAway, "shutting down")
	}
	s.mu.Unlock()
	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		s.mu.Lock()
		for c := range s.conns {
			_ = c.ws.Close() // force the readers out
		}
		s.mu.Unlock()
		return ctx.Err()
	}
}

// kickLocked closes c with code, first detaching or ending its session so
// dispatches from now on are buffered instead of lost on a dying socket.
func (s *Server) kickLocked(c *conn, code int, text string) {
	if sess := c.sess; sess != nil {
		if endsSession(code) {
			s.endSession(sess, text)
		} else {
			s.detach(sess)
		}
	}
	c.closeWith(code, text)
}

func (s *Server) kick(c *conn, code int, text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.kickLocked(c, code, text)
}

// clientClosed applies the client's close code: 1000 and 1001 end the
// session, anything else leaves it resumable.
func (s *Server) clientClosed(c *conn, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clientClosedLocked(c, code)
}

func (s *Server) clientClosedLocked(c *conn, code int) {
	if sess := c.sess; sess != nil {
		if code == websocket.CloseNormalClosure || code == websocket.CloseGoingAway {
			s.endSession(sess, "client closed normally")
		} else {
			s.detach(sess)
		}
	}
}

// connGone runs once the connection's reader exits. clientCode is the
// close code the client sent, or 0 if the socket just dropped.
func (s *Server) connGone(c *conn, clientCode int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.conns, c)
	s.clientClosedLocked(c, clientCode)
}

// allowIdentifyLocked applies the max_concurrency rule: one identify per
// bucket (shard_id % max_concurrency) per 5 seconds.
func (s *Server) allowIdentifyLocked(shardID int) bool {
	bucket := shardID % s.opts.MaxConcurrency
	now := s.opts.Now()
	if last, ok := s.lastIdentify[bucket]; ok && *s.opts.EnforceIdentifyConcurrency && now.Sub(last) < identifyWindow {
		s.identifiesRefused++
		return false
	}
	s.lastIdentify[bucket] = now
	return true
}

func closeText(code int) string {
	switch code {
	case CloseUnknownError:
		return "Unknown error."
	case CloseUnknownOpcode:
		return "Unknown opcode."
	case CloseDecodeError:
		return "Decode error."
	case CloseNotAuthenticated:
		return "Not authenticated."
	case CloseAuthenticationFailed:
		return "Authentication failed."
	case CloseAlreadyAuthenticated:
		return "Already authenticated."
	case CloseInvalidSeq:
		return "Invalid seq."
	case CloseRateLimited:
		return "Rate limited."
	case CloseSessionTimedOut:
		return "Session timed out."
	case CloseInvalidShard:
		return "Invalid shard."
	case CloseShardingRequired:
		return "Sharding required."
	case CloseInvalidAPIVersion:
		return "Invalid API version."
	case CloseInvalidIntents:
		return "Invalid intent(s)."
	case CloseDisallowedIntents:
		return "Disallowed intent(s)."
	}
	return ""
}
