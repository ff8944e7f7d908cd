package discordsim

import (
	"cmp"
	"encoding/base64"
	"log/slog"
	"time"

	"github.com/together-bot/together/discordsim/internal/defaults"
	"github.com/together-bot/together/discordsim/ratelimit"
)

// DefaultAppID is the application (and bot user) id used when Options.AppID
// is empty. It is a valid snowflake so that clients which decode it work.
const DefaultAppID = "1300000000000000001"

// Default values documented in docs/emulator.md.
const (
	DefaultInteractionDeadline = 3 * time.Second
	DefaultDeferredWait        = 5 * time.Second
	DefaultBotUsername         = "together-bot"
	DefaultRequestLogBodyLimit = 64 << 10
	// interactionTokenLifetime is how long Discord accepts follow-ups and
	// @original edits for an interaction token.
	interactionTokenLifetime = 15 * time.Minute
	// nonceWindow is how long enforce_nonce deduplicates message creates.
	nonceWindow = 5 * time.Minute
)

// Options configures a Server. Zero values take the documented defaults.
type Options struct {
	// Addr is the listen address used by Start when it is called with "".
	Addr string
	// Token is the bot token the REST API and gateway accept. Default:
	// DefaultToken(AppID). Clients such as disgo decode the application id
	// from the first dot-separated part of the token, so a custom token must
	// keep Discord's "<base64 app id>.<x>.<y>" structure to work with them.
	Token string
	// AppID is the application id. Default DefaultAppID.
	AppID string
	// BotUserID is the bot user's id. Default: AppID (as for modern apps).
	BotUserID string
	// BotUsername is the bot user's name. Default DefaultBotUsername.
	BotUsername string
	// BotPermissions are the permissions of the managed role the bot gets
	// when it joins a guild. Default DefaultBotPermissions (not admin).
	BotPermissions *uint64
	// Limits configures REST rate limits; zero fields take
	// ratelimit.DefaultConfig() values (50/s global, 5 per 5s per channel...).
	Limits ratelimit.Config
	// InteractionDeadline is how long the bot has to call back an
	// interaction. Default 3s, like Discord.
	InteractionDeadline time.Duration
	// DeferredWait bounds how long Interact waits for the edit of a deferred
	// answer. Default 5s.
	DeferredWait time.Duration
	// HeartbeatInterval is sent in gateway HELLO. Default: gateway package's.
	HeartbeatInterval time.Duration
	// ShardCount is what GET /gateway/bot recommends. Default 1.
	ShardCount int
	// MaxConcurrency is session_start_limit.max_concurrency: identifies per
	// 5 s, one per bucket shard_id % MaxConcurrency. Default 1.
	MaxConcurrency int
	// SessionStartTotal is session_start_limit.total per 24 h. Default 1000.
	SessionStartTotal int
	// RequestLogSize bounds the request log ring buffer. Default 1000.
	RequestLogSize int
	// RequestLogBodyLimit is how many bytes of each request body the log
	// keeps; longer bodies are cut and marked body_truncated. Default
	// 64 KiB, which keeps whole command registrations.
	RequestLogBodyLimit int
	// Logger receives structured logs. Default: slog.Default().
	Logger *slog.Logger
	// Now is the clock; tests inject a fake one. Default time.Now.
	Now func() time.Time
}

// DefaultToken returns the token a Server accepts when Options.Token is
// empty: Discord's token structure with the application id encoded in the
// first part, so that disgo and other libraries can decode it.
func DefaultToken(appID string) string {
	return base64.RawStdEncoding.EncodeToString([]byte(appID)) + ".GSimTk.sim-token"
}

func (o Options) withDefaults() Options {
	o.AppID = cmp.Or(o.AppID, DefaultAppID)
	o.BotUserID = cmp.Or(o.BotUserID, o.AppID)
	o.Token = cmp.Or(o.Token, DefaultToken(o.AppID))
	o.BotUsername = cmp.Or(o.BotUsername, DefaultBotUsername)
	if o.BotPermissions == nil {
		p := DefaultBotPermissions
		o.BotPermissions = &p
	}
	o.InteractionDeadline = defaults.Positive(o.InteractionDeadline, DefaultInteractionDeadline)
	o.DeferredWait = defaults.Positive(o.DeferredWait, DefaultDeferredWait)
	o.ShardCount = defaults.Positive(o.ShardCount, 1)
	o.RequestLogSize = defaults.Positive(o.RequestLogSize, 1000)
	o.RequestLogBodyLimit = defaults.Positive(o.RequestLogBodyLimit, DefaultRequestLogBodyLimit)
	o.Logger = cmp.Or(o.Logger, slog.Default())
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}
