// Package restclient builds the one disgo REST client the process uses, with the
// project's rate limiter (core/discord/restlimit) in place of disgo's.
package restclient

import (
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/disgo/rest"
	"github.com/disgoorg/snowflake/v2"

	"github.com/together-bot/together/core/discord/restlimit"
)

// New returns a REST client for the given API base (Discord, the emulator or
// a proxy). With a budget, every request Discord counts against the global
// limit books from it, so all processes of the deployment share 46/s and
// the per-route buckets. Without one (DISCORD_REST_BUDGET=off, for a REST
// proxy that paces the whole deployment), this process keeps its own
// buckets and in-memory 50/s ceiling, and the proxy must do the rest.
func New(token, apiURL string, log *slog.Logger, observer restlimit.Observer, budget *restlimit.Shared) rest.Rest {
	opts := []restlimit.Option{restlimit.WithLogger(log), restlimit.WithObserver(observer)}
	if budget != nil {
		opts = append(opts, restlimit.WithShared(budget))
	}
	limiter := restlimit.New(opts...)
	// Bursts of up to the global limit (50) reuse connections instead of
	// opening new ones; Go's default keeps only 2 idle per host.
	transport := &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		DialContext:         (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        100,
		MaxIdleConnsPerHost: 64,
		IdleConnTimeout:     90 * time.Second,
		TLSHandshakeTimeout: 10 * time.Second,
		ForceAttemptHTTP2:   true,
	}
	client := rest.NewClient(token,
		rest.WithURL(apiURL),
		rest.WithLogger(log),
		rest.WithRateLimiter(limiter),
		rest.WithHTTPClient(&http.Client{Transport: transport, Timeout: 30 * time.Second}),
	)
	return rest.New(client)
}

// MessageCreator is the part of rest.Rest a service that only posts messages
// needs; tests fake it to see what was sent.
type MessageCreator interface {
	CreateMessage(channelID snowflake.ID, m discord.MessageCreate, opts ...rest.RequestOpt) (*discord.Message, error)
}
