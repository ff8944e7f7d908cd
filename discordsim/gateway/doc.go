// Package gateway emulates the Discord Gateway (API v10, JSON encoding) as a
// websocket server, so bots can be tested against a peer that enforces the
// same protocol rules Discord does instead of a lenient fake.
//
// The server implements the documented lifecycle: Hello (op 10), Identify
// (op 2) answered by READY and one GUILD_CREATE per guild of the shard,
// heartbeats (op 1 / op 11), Resume (op 6) with replay of every missed
// dispatch followed by RESUMED, Reconnect (op 7) and Invalid Session (op 9).
//
// Choices where Discord's documentation is silent or vague, made explicit so
// tests can rely on them:
//
//   - Heartbeats: a connection that sends no op 1 for HeartbeatTimeout
//     (default 1.5 × HeartbeatInterval, counted from Hello and then from the
//     previous heartbeat) is closed with 4009 "Session timed out". As the close
//     code table says for 4009, the session is gone: a later resume gets op 9
//     d=false. Heartbeats are accepted before Identify, as on Discord.
//   - An unauthenticated connection that neither identifies nor resumes within
//     IdentifyTimeout (default 20 s) is closed with 4009 as well.
//   - Identify concurrency: with EnforceIdentifyConcurrency (default true) a
//     second Identify in the same bucket (shard_id % MaxConcurrency) within
//     5 s is answered with op 9 d=false, which is what Discord documents for
//     identifying too fast; the connection stays open so the client may retry.
//     Refusals are counted (IdentifiesRefused).
//   - Session starts: each accepted identify spends one of SessionStartTotal
//     (default 1000) per 24 h, reported by SessionStarts for GET /gateway/bot.
//     An identify with none left is a Violation and closes every connection
//     with 4004, as Discord resets the token.
//   - A session connecting (identify or resume) on a shard that already has a
//     connected session of the same shard count is a Violation
//     (duplicate_session): two processes on one shard.
//   - Sessions survive a dropped connection for ResumeWindow (default 3 min).
//     A client close with 1000 or 1001 ends the session at once. Server
//     closes with 4007, 4009 and the non-reconnectable codes (4004,
//     4010–4014) end it too; other codes (e.g. 4000) keep it resumable.
//   - Dispatches to a disconnected session are buffered; more than
//     ResumeBuffer of them (default 1000) invalidate the session. The same
//     bound limits how far back a resume may reach.
//   - The RESUMED dispatch carries the next sequence number, as on Discord,
//     but is never replayed by a later resume.
//   - Dispatch filters events by the intents given in Identify (e.g.
//     MESSAGE_CREATE in a guild needs GUILD_MESSAGES, in a DM
//     DIRECT_MESSAGES). Events that need no intent always pass. Content
//     stripping for the privileged MESSAGE_CONTENT intent is not emulated.
//   - Client frames are limited to 4096 bytes (larger → 4002) and to
//     120 per 60 s per connection, heartbeats included (121st → 4008).
//   - The URL must carry v=10 (else 4012 after Hello); encoding must be json
//     or absent (else HTTP 400). compress=zlib-stream and compress=zstd-stream
//     are supported, as is payload compression (identify "compress": true).
//
// Beyond the fault hooks (Close, Reconnect, InvalidSession) the server can
// ask every client for an immediate heartbeat (RequestHeartbeat, op 1), and
// answers Request Guild Members (op 8) with GUILD_MEMBERS_CHUNK dispatches
// built from Options.GuildMembers (one empty chunk when unset), so a client
// waiting on a nonce never hangs.
//
// Tests drive the server with disgo's real gateway client. disgo v0.19.6's
// gateway has data races of its own, so it runs in a child process built
// without -race (internal/disgopeer) and reports events over a pipe.
//
// Timers for heartbeats and identify timeouts use the wall clock; the resume
// window, identify concurrency and send rate limit use Options.Now so tests
// can move time.
package gateway
