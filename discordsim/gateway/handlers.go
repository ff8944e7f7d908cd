package gateway

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// handle processes one client payload.
func (c *conn) handle(data []byte) {
	var f inFrame
	if err := json.Unmarshal(data, &f); err != nil || f.Op == nil {
		c.srv.kick(c, CloseDecodeError, closeText(CloseDecodeError))
		return
	}
	switch op := *f.Op; op {
	case opHeartbeat:
		c.onHeartbeat(f.D)
	case opIdentify:
		c.onIdentify(f.D)
	case opResume:
		c.onResume(f.D)
	case opPresenceUpdate, opVoiceStateUpdate, opRequestGuildMembers, opRequestSoundboardSounds:
		if !c.authenticated() {
			c.srv.kick(c, CloseNotAuthenticated, closeText(CloseNotAuthenticated))
			return
		}
		if !isObject(f.D) {
			c.srv.kick(c, CloseDecodeError, "d must be an object")
			return
		}
		if op == opRequestGuildMembers {
			c.onRequestMembers(f.D)
			return
		}
		// Presence, voice state and soundboard requests have no observable
		// effect in the emulator; accepting them is what matters.
		c.log.Debug("command accepted", "op", op)
	default:
		c.srv.kick(c, CloseUnknownOpcode, closeText(CloseUnknownOpcode))
	}
}

// decodeOp decodes an op's d, which must be a JSON object that complete
// accepts; otherwise it closes c with 4002 and reports false.
func decodeOp[T any](c *conn, d json.RawMessage, complete func(*T) bool) (T, bool) {
	var v T
	if err := json.Unmarshal(d, &v); err != nil || !isObject(d) || !complete(&v) {
		c.srv.kick(c, CloseDecodeError, closeText(CloseDecodeError))
		return v, false
	}
	return v, true
}

func isObject(d json.RawMessage) bool {
	d = bytes.TrimSpace(d)
	return len(d) > 0 && d[0] == '{'
}

func (c *conn) authenticated() bool {
	c.srv.mu.Lock()
	defer c.srv.mu.Unlock()
	return c.sess != nil
}

func (c *conn) onHeartbeat(d json.RawMessage) {
	var seq *int64 // d is the last sequence received, or null
	if len(d) > 0 {
		if err := json.Unmarshal(d, &seq); err != nil {
			c.srv.kick(c, CloseDecodeError, "heartbeat d must be an integer or null")
			return
		}
	}
	if c.heartbeat != nil {
		c.heartbeat.Reset(c.srv.opts.HeartbeatTimeout)
	}
	if d := c.srv.opts.AckDelay; d > 0 {
		time.AfterFunc(d, func() { c.enqueue(encodeOp(opHeartbeatACK, nil)) })
		return
	}
	c.enqueue(encodeOp(opHeartbeatACK, nil))
}

func (c *conn) onIdentify(d json.RawMessage) {
	srv := c.srv
	id, ok := decodeOp(c, d, func(id *identifyData) bool { return id.Properties != nil })
	if !ok {
		return
	}
	if c.authenticated() {
		srv.kick(c, CloseAlreadyAuthenticated, closeText(CloseAlreadyAuthenticated))
		return
	}
	if id.Token == nil || *id.Token != srv.opts.Token {
		srv.kick(c, CloseAuthenticationFailed, closeText(CloseAuthenticationFailed))
		return
	}
	shard := [2]int{0, 1}
	if id.Shard != nil {
		shard = *id.Shard
	}
	if shard[1] < 1 || shard[0] < 0 || shard[0] >= shard[1] {
		srv.kick(c, CloseInvalidShard, closeText(CloseInvalidShard))
		return
	}
	if id.Intents == nil || *id.Intents&^knownIntents != 0 {
		srv.kick(c, CloseInvalidIntents, closeText(CloseInvalidIntents))
		return
	}

	srv.mu.Lock()
	allowed := srv.allowIdentifyLocked(shard[0])
	started := allowed && srv.takeSessionStartLocked()
	if allowed && !started {
		// Discord ends every session and resets the token when the daily
		// session starts run out; the token then fails authentication.
		v := Violation{Kind: ViolationSessionStartLimit, ShardID: shard[0], ShardCount: shard[1], At: srv.opts.Now(),
			Message: fmt.Sprintf("identify with no session start left (total %d per 24 h)", srv.opts.SessionStartTotal)}
		srv.violations = append(srv.violations, v)
		srv.log.Warn("gateway violation", "kind", v.Kind, "shard_id", v.ShardID)
		for other := range srv.conns {
			srv.kickLocked(other, CloseAuthenticationFailed, closeText(CloseAuthenticationFailed))
		}
	}
	srv.mu.Unlock()
	if !allowed {
		// Discord's documented answer to an identify beyond max_concurrency
		// (docs/emulator.md cites it): op 9, not a close.
		c.log.Warn("identify rate limited", "shard_id", shard[0])
		c.enqueue(encodeOp(opInvalidSession, false))
		return
	}
	if !started {
		return
	}

	// Call the data callbacks without holding srv.mu: they belong to the
	// embedding server and may call back into Dispatch.
	ready := readyData(srv.opts, c.log, shard[0], shard[1])
	var creates []json.RawMessage
	if srv.opts.GuildCreates != nil {
		creates = onShard(srv.opts.GuildCreates(shard[0], shard[1], largeThreshold(id.LargeThreshold)), shard, c)
	}
	resumeURL := c.resumeURL
	if srv.opts.ResumeURL != nil {
		resumeURL = srv.opts.ResumeURL()
	}
	if id.Compress {
		c.payloadCompress.Store(true)
	}

	srv.mu.Lock()
	defer srv.mu.Unlock()
	if c.sess != nil || c.isClosing() {
		return
	}
	sess := &session{
		id:         newSessionID(),
		shardID:    shard[0],
		shardCount: shard[1],
		intents:    *id.Intents,
		identified: srv.opts.Now(),
		conn:       c,
	}
	srv.recordDuplicateLocked(sess, "identified")
	srv.sessions[sess.id] = sess
	c.sess = sess
	c.stopAuthTimer()

	srv.push(sess, "READY", mustMarshal(newReady(ready, sess, resumeURL)), true)
	if wantsEvent(sess.intents, "GUILD_CREATE", true) {
		for _, gc := range creates {
			srv.push(sess, "GUILD_CREATE", gc, true)
		}
	}
	c.log.Info("identified", "session_id", sess.id, "shard_id", sess.shardID,
		"shard_count", sess.shardCount, "intents", sess.intents, "guilds", len(creates))
}

// largeThreshold applies Discord's bounds to identify's large_threshold:
// 50 when absent, clamped to 50–250.
func largeThreshold(v *int) int {
	if v == nil {
		return DefaultLargeThreshold
	}
	return min(max(*v, DefaultLargeThreshold), MaxLargeThreshold)
}

func (c *conn) stopAuthTimer() {
	if c.authTimer != nil {
		c.authTimer.Stop()
	}
}

// restartAuthTimer gives a connection that lost its session (op 9) the
// usual time to identify or resume again.
func (c *conn) restartAuthTimer() {
	if c.authTimer != nil {
		c.authTimer.Reset(c.srv.opts.IdentifyTimeout)
	}
}

// onShard drops GUILD_CREATE payloads that belong to another shard, so a
// mistake in the embedding server shows up in logs instead of as events on
// the wrong shard.
func onShard(creates []json.RawMessage, shard [2]int, c *conn) []json.RawMessage {
	out := creates[:0:0]
	for _, gc := range creates {
		var g struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(gc, &g); err != nil {
			c.log.Error("GUILD_CREATE payload is not an object", "err", err)
			continue
		}
		if s, ok := shardFor(g.ID, shard[1]); !ok || s != shard[0] || g.ID == "" {
			c.log.Error("GUILD_CREATE for a guild on another shard dropped", "guild_id", g.ID, "shard_id", shard[0])
			continue
		}
		out = append(out, gc)
	}
	return out
}

func (c *conn) onResume(d json.RawMessage) {
	srv := c.srv
	rd, ok := decodeOp(c, d, func(rd *resumeData) bool { return rd.Seq != nil })
	if !ok {
		return
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if c.sess != nil {
		srv.kickLocked(c, CloseAlreadyAuthenticated, closeText(CloseAlreadyAuthenticated))
		return
	}
	if rd.Token != srv.opts.Token {
		srv.kickLocked(c, CloseAuthenticationFailed, closeText(CloseAuthenticationFailed))
		return
	}
	sess := srv.sessions[rd.SessionID]
	if sess != nil && srv.expired(sess, srv.opts.Now()) {
		srv.endSession(sess, "resume window expired")
		sess = nil
	}
	if sess == nil || !sess.canResumeFrom(*rd.Seq) {
		c.log.Info("resume refused", "session_id", rd.SessionID, "seq", *rd.Seq)
		c.enqueue(encodeOp(opInvalidSession, false))
		return
	}
	if old := sess.conn; old != nil && old != c {
		// The old socket is usually already dead but not yet noticed.
		srv.detach(sess)
		old.closeWith(CloseUnknownError, "session resumed on another connection")
	}
	sess.conn = c
	c.sess = sess
	c.stopAuthTimer()
	srv.recordDuplicateLocked(sess, "resumed")
	replayed := 0
	for _, r := range sess.history {
		if r.seq > *rd.Seq && r.replay {
			c.enqueue(r.frame)
			replayed++
		}
	}
	srv.push(sess, "RESUMED", json.RawMessage("{}"), false)
	c.log.Info("resumed", "session_id", sess.id, "from_seq", *rd.Seq, "replayed", replayed)
}

func (c *conn) onRequestMembers(d json.RawMessage) {
	srv := c.srv
	rq, ok := decodeOp(c, d, func(rq *requestMembersData) bool { return rq.GuildID != "" })
	if !ok {
		return
	}
	req := MemberRequest{GuildID: rq.GuildID, Presences: rq.Presences, Nonce: rq.Nonce}
	if rq.Query != nil {
		req.Query = *rq.Query
	}
	if rq.Limit != nil {
		req.Limit = *rq.Limit
	}
	if len(rq.UserIDs) > 0 && string(rq.UserIDs) != "null" {
		// user_ids is a snowflake or an array of snowflakes.
		if err := json.Unmarshal(rq.UserIDs, &req.UserIDs); err != nil {
			var one string
			if err := json.Unmarshal(rq.UserIDs, &one); err != nil {
				srv.kick(c, CloseDecodeError, "user_ids must be a snowflake or an array")
				return
			}
			req.UserIDs = []string{one}
		}
	}
	var members []json.RawMessage
	if srv.opts.GuildMembers != nil {
		members = srv.opts.GuildMembers(req)
	}
	chunks := memberChunks(req, members)

	srv.mu.Lock()
	defer srv.mu.Unlock()
	sess := c.sess
	if sess == nil {
		return
	}
	if shard, _ := shardFor(req.GuildID, sess.shardCount); shard != sess.shardID {
		return // Discord ignores requests for guilds on other shards
	}
	for _, ch := range chunks {
		srv.push(sess, "GUILD_MEMBERS_CHUNK", ch, true)
	}
}

// memberChunks splits members into GUILD_MEMBERS_CHUNK payloads of up to
// 1000, always at least one so clients waiting on the nonce finish.
func memberChunks(req MemberRequest, members []json.RawMessage) []json.RawMessage {
	const size = 1000
	count := max(1, (len(members)+size-1)/size)
	out := make([]json.RawMessage, 0, count)
	for i := range count {
		part := members[min(i*size, len(members)):min((i+1)*size, len(members))]
		chunk := map[string]any{
			"guild_id":    req.GuildID,
			"members":     append([]json.RawMessage{}, part...),
			"chunk_index": i,
			"chunk_count": count,
		}
		if req.Nonce != "" {
			chunk["nonce"] = req.Nonce
		}
		if req.Presences {
			chunk["presences"] = []any{}
		}
		out = append(out, mustMarshal(chunk))
	}
	return out
}
