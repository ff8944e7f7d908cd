package gateway

import (
	"cmp"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/together-bot/together/discordsim/internal/defaults"
)

// Defaults applied by NewServer to zero Options fields.
const (
	DefaultHeartbeatInterval = 41250 * time.Millisecond
	DefaultIdentifyTimeout   = 20 * time.Second
	DefaultResumeWindow      = 3 * time.Minute
	DefaultResumeBuffer      = 1000
	DefaultSendLimit         = 120
	DefaultSendWindow        = 60 * time.Second

	// DefaultLargeThreshold and MaxLargeThreshold bound identify's
	// large_threshold, like Discord's (50 when absent, at most 250).
	DefaultLargeThreshold = 50
	MaxLargeThreshold     = 250

	// identifyWindow is Discord's fixed identify spacing per concurrency bucket.
	identifyWindow = 5 * time.Second
	// DefaultSessionStartTotal is session_start_limit.total for most bots.
	DefaultSessionStartTotal = 1000
	// sessionStartWindow is how long session_start_limit counts identifies.
	sessionStartWindow = 24 * time.Hour
	// maxFrameSize is the largest client frame Discord accepts.
	maxFrameSize = 4096
)

// Options configures a Server. Zero values select Discord's behaviour.
type Options struct {
	// Token is the bot token without the "Bot " prefix, expected in
	// Identify and Resume; a mismatch closes with 4004.
	Token string
	// HeartbeatInterval is sent in Hello. Default 41250ms.
	HeartbeatInterval time.Duration
	// AckDelay is how long a heartbeat ACK takes, standing in for the network:
	// on Discord an ACK can never arrive before the client's heartbeat write
	// has returned, and disgo v0.19.6 takes an earlier one for a zombied
	// connection. Default 5 ms; negative sends at once.
	AckDelay time.Duration
	// HeartbeatTimeout is how long the server waits for a heartbeat before
	// closing with 4009. Default 1.5 × HeartbeatInterval.
	HeartbeatTimeout time.Duration
	// IdentifyTimeout bounds the time between Hello and Identify/Resume.
	IdentifyTimeout time.Duration
	// ShardCountHint is the recommended shard count (for /gateway/bot).
	ShardCountHint int
	// MaxConcurrency is session_start_limit.max_concurrency. Default 1.
	MaxConcurrency int
	// EnforceIdentifyConcurrency answers identifies faster than one per 5 s
	// per bucket with op 9 false. nil means true.
	EnforceIdentifyConcurrency *bool
	// SessionStartTotal is session_start_limit.total: identifies allowed per
	// 24 h. Default 1000.
	SessionStartTotal int
	// ResumeWindow is how long a disconnected session stays resumable.
	ResumeWindow time.Duration
	// ResumeBuffer bounds the dispatches kept per session for replay.
	ResumeBuffer int
	// SendLimit and SendWindow bound client frames per connection (120/60s).
	SendLimit  int
	SendWindow time.Duration
	// ResumeURL returns resume_gateway_url for READY. Default: the URL the
	// client connected to, without query.
	ResumeURL func() string
	// Ready supplies the user, application and guild IDs for READY. Guild IDs
	// on other shards are dropped.
	Ready func(shardID, shardCount int) ReadyData
	// GuildCreates supplies full GUILD_CREATE payloads sent after READY.
	// largeThreshold is the identify's large_threshold (see LargeThreshold):
	// a guild with more members is "large" and lists only the bot itself.
	// Payloads whose "id" belongs to another shard are dropped.
	GuildCreates func(shardID, shardCount, largeThreshold int) []json.RawMessage
	// GuildMembers answers Request Guild Members (op 8). It returns the
	// member objects matching the request; nil answers with no members.
	GuildMembers func(req MemberRequest) []json.RawMessage
	// Logger receives structured logs. Default discards.
	Logger *slog.Logger
	// Now is the clock for session bookkeeping. Default time.Now.
	Now func() time.Time
}

// ReadyData is the per-shard content of READY.
type ReadyData struct {
	User             json.RawMessage
	ApplicationID    string
	ApplicationFlags int
	GuildIDs         []string
}

// MemberRequest is the decoded d of a Request Guild Members (op 8).
type MemberRequest struct {
	GuildID   string
	Query     string // "" with Limit 0 means all members
	Limit     int
	Presences bool
	UserIDs   []string // set instead of Query when asking for specific users
	Nonce     string
}

func (o Options) withDefaults() Options {
	o.HeartbeatInterval = defaults.Positive(o.HeartbeatInterval, DefaultHeartbeatInterval)
	o.HeartbeatTimeout = defaults.Positive(o.HeartbeatTimeout, o.HeartbeatInterval*3/2)
	o.AckDelay = cmp.Or(o.AckDelay, 5*time.Millisecond) // negative: no delay
	o.IdentifyTimeout = defaults.Positive(o.IdentifyTimeout, DefaultIdentifyTimeout)
	o.ShardCountHint = defaults.Positive(o.ShardCountHint, 1)
	o.MaxConcurrency = defaults.Positive(o.MaxConcurrency, 1)
	o.SessionStartTotal = defaults.Positive(o.SessionStartTotal, DefaultSessionStartTotal)
	if o.EnforceIdentifyConcurrency == nil {
		enforce := true
		o.EnforceIdentifyConcurrency = &enforce
	}
	o.ResumeWindow = defaults.Positive(o.ResumeWindow, DefaultResumeWindow)
	o.ResumeBuffer = defaults.Positive(o.ResumeBuffer, DefaultResumeBuffer)
	o.SendLimit = defaults.Positive(o.SendLimit, DefaultSendLimit)
	o.SendWindow = defaults.Positive(o.SendWindow, DefaultSendWindow)
	o.Logger = cmp.Or(o.Logger, slog.New(slog.DiscardHandler))
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}
