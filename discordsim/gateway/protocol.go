package gateway

import (
	"encoding/json"
	"strconv"
)

// Gateway opcodes (https://discord.com/developers/docs/topics/opcodes-and-status-codes).
const (
	opDispatch                = 0
	opHeartbeat               = 1
	opIdentify                = 2
	opPresenceUpdate          = 3
	opVoiceStateUpdate        = 4
	opResume                  = 6
	opReconnect               = 7
	opRequestGuildMembers     = 8
	opInvalidSession          = 9
	opHello                   = 10
	opHeartbeatACK            = 11
	opRequestSoundboardSounds = 31
)

// Gateway close event codes, exported for Server.Close.
const (
	CloseUnknownError         = 4000
	CloseUnknownOpcode        = 4001
	CloseDecodeError          = 4002
	CloseNotAuthenticated     = 4003
	CloseAuthenticationFailed = 4004
	CloseAlreadyAuthenticated = 4005
	CloseInvalidSeq           = 4007
	CloseRateLimited          = 4008
	CloseSessionTimedOut      = 4009
	CloseInvalidShard         = 4010
	CloseShardingRequired     = 4011
	CloseInvalidAPIVersion    = 4012
	CloseInvalidIntents       = 4013
	CloseDisallowedIntents    = 4014
)

// endsSession reports whether a server close with code leaves the session
// unresumable: 4007/4009 say "start a new session" and the
// non-reconnectable codes end the bot's run anyway.
func endsSession(code int) bool {
	switch code {
	case CloseAuthenticationFailed, CloseInvalidSeq, CloseSessionTimedOut,
		CloseInvalidShard, CloseShardingRequired, CloseInvalidAPIVersion,
		CloseInvalidIntents, CloseDisallowedIntents:
		return true
	}
	return false
}

// outFrame is a server payload. Discord always sends all four keys, with t
// and s null outside dispatches, so clients that assume that shape work.
type outFrame struct {
	T  *string         `json:"t"`
	S  *int64          `json:"s"`
	Op int             `json:"op"`
	D  json.RawMessage `json:"d"`
}

func encodeOp(op int, d any) []byte {
	raw, err := json.Marshal(d)
	if err != nil {
		panic(err) // only fixed internal types reach here
	}
	return mustMarshal(outFrame{Op: op, D: raw})
}

func encodeDispatch(event string, seq int64, d json.RawMessage) []byte {
	return mustMarshal(outFrame{T: &event, S: &seq, Op: opDispatch, D: d})
}

func mustMarshal(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// inFrame is a client payload; op is a pointer so a missing op is a decode error.
type inFrame struct {
	Op *int            `json:"op"`
	D  json.RawMessage `json:"d"`
}

type identifyData struct {
	Token      *string          `json:"token"`
	Properties *json.RawMessage `json:"properties"`
	Compress   bool             `json:"compress"`
	Shard      *[2]int          `json:"shard"`
	Intents    *uint64          `json:"intents"`
	// LargeThreshold is Discord's large_threshold (50–250, default 50).
	LargeThreshold *int `json:"large_threshold"`
}

type resumeData struct {
	Token     string `json:"token"`
	SessionID string `json:"session_id"`
	Seq       *int64 `json:"seq"`
}

type requestMembersData struct {
	GuildID   string          `json:"guild_id"`
	Query     *string         `json:"query"`
	Limit     *int            `json:"limit"`
	Presences bool            `json:"presences"`
	UserIDs   json.RawMessage `json:"user_ids"`
	Nonce     string          `json:"nonce"`
}

// shardFor implements Discord's (guild_id >> 22) % shard_count. ok is false
// for a malformed snowflake.
func shardFor(guildID string, shardCount int) (int, bool) {
	if guildID == "" {
		return 0, true // DMs always go to shard 0
	}
	id, err := strconv.ParseUint(guildID, 10, 64)
	if err != nil {
		return 0, false
	}
	return int((id >> 22) % uint64(shardCount)), true
}
