package ratelimit

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/together-bot/together/discordsim/internal/defaults"
)

// Bucket is a fixed-window limit: at most Limit requests per Window.
// A zero Bucket means "use the default"; a negative Limit means unlimited.
type Bucket struct {
	Limit  int
	Window time.Duration
}

// Config describes every limit the Limiter enforces. Zero-valued fields are
// replaced by the corresponding DefaultConfig value in New.
type Config struct {
	// GlobalPerSecond caps all non-exempt requests of one token per second.
	// Discord documents 50; interaction callbacks are exempt. Negative
	// disables the global limit.
	GlobalPerSecond int
	// MessageCreate applies to POST /channels/{channel_id}/messages, per channel.
	MessageCreate Bucket
	// MessageEdit applies to PATCH /channels/{channel_id}/messages/{message_id},
	// per channel, counted separately from MessageCreate.
	MessageEdit Bucket
	// Default applies to every other route, per route + major parameter.
	Default Bucket
	// Routes overrides the bucket of specific routes, keyed
	// "METHOD /route/template" (e.g. "PATCH /channels/{channel_id}").
	// An override wins over MessageCreate, MessageEdit and Default.
	Routes map[string]Bucket
	// InvalidLimit is how many invalid responses (401, 403, and 429 unless
	// scope=shared) a token may receive per InvalidWindow before Discord
	// would ban it. Documented: 10,000 per 10 minutes.
	InvalidLimit  int
	InvalidWindow time.Duration
}

const (
	// Route templates with their own dedicated configuration fields.
	routeMessageCreate = "POST /channels/{channel_id}/messages"
	routeMessageEdit   = "PATCH /channels/{channel_id}/messages/{message_id}"
)

// DefaultConfig returns Discord's documented limits. Discord does not publish
// a generic per-route limit (clients must read the headers), so Default is
// 10 requests per 10 seconds: of the order Discord returns for most routes,
// and permissive enough that only genuinely bursty code trips it.
func DefaultConfig() Config {
	return Config{
		GlobalPerSecond: 50,
		MessageCreate:   Bucket{Limit: 5, Window: 5 * time.Second},
		MessageEdit:     Bucket{Limit: 5, Window: 5 * time.Second},
		Default:         Bucket{Limit: 10, Window: 10 * time.Second},
		InvalidLimit:    10000,
		InvalidWindow:   10 * time.Minute,
	}
}

// withDefaults fills the zero fields of c from DefaultConfig and copies the
// Routes map so later changes by the caller cannot race with the Limiter.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	c.GlobalPerSecond = cmp.Or(c.GlobalPerSecond, d.GlobalPerSecond) // negative: unlimited
	c.MessageCreate = c.MessageCreate.or(d.MessageCreate)
	c.MessageEdit = c.MessageEdit.or(d.MessageEdit)
	c.Default = c.Default.or(d.Default)
	c.InvalidLimit = cmp.Or(c.InvalidLimit, d.InvalidLimit)
	c.InvalidWindow = defaults.Positive(c.InvalidWindow, d.InvalidWindow)
	routes := make(map[string]Bucket, len(c.Routes))
	for k, b := range c.Routes {
		routes[k] = b.or(c.Default)
	}
	c.Routes = routes
	return c
}

// or returns b, or def when b is the zero Bucket. A Bucket with a limit but
// no window gets the default window, as a limit without a window is
// meaningless.
func (b Bucket) or(def Bucket) Bucket {
	if b == (Bucket{}) {
		return def
	}
	b.Window = defaults.Positive(b.Window, def.Window)
	return b
}

// unlimited reports whether the bucket never refuses.
func (b Bucket) unlimited() bool { return b.Limit < 0 }

// bucketFor picks the bucket configuration of a "METHOD /route" key.
func (c Config) bucketFor(routeKey string) Bucket {
	if b, ok := c.Routes[routeKey]; ok {
		return b
	}
	switch routeKey {
	case routeMessageCreate:
		return c.MessageCreate
	case routeMessageEdit:
		return c.MessageEdit
	}
	return c.Default
}

// ParseBucket reads a bucket written "LIMIT/WINDOW" (e.g. "5/5s") or
// "unlimited", the form the command line and docs use.
func ParseBucket(s string) (Bucket, error) {
	if s == "unlimited" {
		return Bucket{Limit: -1, Window: time.Second}, nil
	}
	limit, window, ok := strings.Cut(s, "/")
	if !ok {
		return Bucket{}, fmt.Errorf("rate limit %q: want LIMIT/WINDOW such as 5/5s, or unlimited", s)
	}
	n, err := strconv.Atoi(limit)
	if err != nil || n < 1 {
		return Bucket{}, fmt.Errorf("rate limit %q: limit must be a positive integer", s)
	}
	d, err := time.ParseDuration(window)
	if err != nil || d <= 0 {
		return Bucket{}, fmt.Errorf("rate limit %q: window must be a positive duration such as 5s", s)
	}
	return Bucket{Limit: n, Window: d}, nil
}

// String writes b the way ParseBucket reads it.
func (b Bucket) String() string {
	if b.unlimited() {
		return "unlimited"
	}
	return strconv.Itoa(b.Limit) + "/" + b.Window.String()
}
