package gateway

import (
	"crypto/rand"
	"encoding/hex"
	"time"
)

// session is a Discord gateway session. It outlives connections so a
// client can resume; all fields are guarded by Server.mu.
type session struct {
	id         string
	shardID    int
	shardCount int
	intents    uint64
	identified time.Time

	seq     int64
	history []record // most recent dispatches, ascending seq, ≤ ResumeBuffer

	conn        *conn     // nil while disconnected
	detachedAt  time.Time // when conn became nil
	seqAtDetach int64
}

// record is a dispatch kept for replay. RESUMED is recorded so sequence
// numbers stay contiguous, but never replayed.
type record struct {
	seq    int64
	frame  []byte
	replay bool
}

func newSessionID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return hex.EncodeToString(b[:])
}

// canResumeFrom reports whether every dispatch after seq is still held.
func (s *session) canResumeFrom(seq int64) bool {
	if seq < 0 || seq > s.seq {
		return false
	}
	if len(s.history) == 0 {
		return seq == s.seq
	}
	return seq >= s.history[0].seq-1
}

// push assigns the next sequence number to a dispatch, records it and
// sends it when connected. It reports false when the session overflowed
// its buffer while disconnected and must be ended by the caller.
func (srv *Server) push(s *session, event string, d []byte, replay bool) bool {
	s.seq++
	frame := encodeDispatch(event, s.seq, d)
	s.history = append(s.history, record{seq: s.seq, frame: frame, replay: replay})
	if n := len(s.history) - srv.opts.ResumeBuffer; n > 0 {
		s.history = s.history[n:]
	}
	if s.conn != nil {
		s.conn.enqueue(frame)
		return true
	}
	return s.seq-s.seqAtDetach <= int64(srv.opts.ResumeBuffer)
}

// detach keeps the session resumable after its connection went away.
func (srv *Server) detach(s *session) {
	if s.conn != nil {
		s.conn.sess = nil
	}
	s.conn = nil
	s.detachedAt = srv.opts.Now()
	s.seqAtDetach = s.seq
}

// endSession makes the session unresumable.
func (srv *Server) endSession(s *session, reason string) {
	if s.conn != nil {
		s.conn.sess = nil
		s.conn = nil
	}
	delete(srv.sessions, s.id)
	srv.log.Info("session ended", "session_id", s.id, "shard_id", s.shardID, "reason", reason)
}

// expired reports whether a disconnected session outlived ResumeWindow.
func (srv *Server) expired(s *session, now time.Time) bool {
	return s.conn == nil && now.Sub(s.detachedAt) > srv.opts.ResumeWindow
}
