// Package restlimit is the bot's client-side Discord REST rate limiter for
// disgo:
//
//	limiter := restlimit.New(restlimit.WithLogger(log), restlimit.WithObserver(metrics))
//	client := rest.NewClient(token, rest.WithRateLimiter(limiter))
//
// It replaces disgo's default limiter (v0.19.6) to fix these problems:
//
//   - disgo ignored a global 429 (X-RateLimit-Global: true,
//     X-RateLimit-Scope: global, no X-RateLimit-Bucket), because it returns
//     early when the bucket header is missing. The client then retried
//     immediately, 10 times.
//   - disgo truncated fractional X-RateLimit-Reset-After values to whole
//     seconds (0.9s became 0s).
//   - disgo had no proactive global ceiling.
//   - disgo held each bucket's mutex for the whole HTTP round trip, even when
//     Discord said several requests were allowed.
//
// # How a request flows
//
// disgo calls Wait before it sends a request, and Unlock with the response
// (or with nil if the request failed). Wait does three things in order:
//
//  1. It reserves a slot in the route's bucket.
//  2. It waits out any global 429 pause.
//  3. It asks the GlobalLimiter for permission.
//
// The global permit comes last, so a request is sent right after it is
// granted. A permit taken early and held while the bucket is exhausted would
// let requests through in bursts. Interaction callbacks
// (POST /interactions/{id}/{token}/callback) skip steps 2 and 3, because
// Discord exempts them from the global limit.
//
// Buckets are keyed like disgo's: method + route template + major parameters
// (channel.id, guild.id, webhook.id, interaction.token). Discord shares a
// limit across routes that report the same X-RateLimit-Bucket hash, so when
// two routes with the same major parameters report the same hash, their
// buckets are merged.
//
// When a bucket's limit is unknown (on the first request, or after a window
// with an unknown limit expired), one request goes through at a time. Once
// Discord has reported X-RateLimit-Remaining, up to that many requests run
// concurrently. When Remaining reaches zero, further requests wait until the
// reset. Reset times come from the fractional X-RateLimit-Reset-After
// header, which is relative and so immune to clock skew. The absolute
// X-RateLimit-Reset header is used only if Reset-After is missing.
//
// # Global ceiling
//
// The default GlobalLimiter is a SlidingWindow of 50 requests per second.
// It counts each request until its response arrives, so the ceiling also
// holds at Discord's end, whatever the network latency. The cost is some
// throughput: about 50 / (1s + RTT) requests per second. You can replace it
// with any GlobalLimiter, e.g. one shared by several processes through
// Postgres, or disable it with WithGlobalLimit(0).
//
// Bursts of 50 requests also need 50 connections. Go's default transport
// keeps only 2 idle connections per host, so each burst opens new TLS
// connections. Consider an http.Client whose Transport has
// MaxIdleConnsPerHost >= 50 (rest.WithHTTPClient).
//
// # 429 classification
//
// A 429 is global if its JSON body has "global": true, if
// X-RateLimit-Global is "true", or if X-RateLimit-Scope is "global". A
// global 429 pauses every non-exempt request once, until now + retry_after.
// Any other 429 exhausts only its route's bucket, until now + retry_after.
// The fractional retry_after in the body is preferred, then the Retry-After
// header, then X-RateLimit-Reset-After.
//
// disgo treats a 429 without a "via" header as a Cloudflare ban. Discord's
// own responses often lack that header, so this package does not. It treats
// a 429 as coming from the edge only if the body is not Discord's JSON and
// there is neither an X-RateLimit-Bucket nor an X-RateLimit-Scope header.
// Such a 429 pauses all requests globally for Retry-After (or 1s if that
// header is missing), because the edge blocks by IP, not by route.
//
// Every 429 is logged at WARN. If disgo will retry, the message is
// "Discord API request retry scheduled", with the attributes route, attempt,
// backoff, scope, max_attempts and bucket. Otherwise the message is
// "Discord API request rate limited, retries exhausted".
//
// # Retries and errors
//
// disgo retries a 429 itself, up to MaxRetries attempts in total (3 by
// default). After that it returns a *rest.Error with status 429. If the
// caller's context ends while Wait is holding a request back, disgo returns
// a *WaitError, and no request is sent. A WaitError fails fast if the
// context's deadline is known to be too early.
//
// disgo does not retry 5xx or network errors. Classify the final error with
// package resterr:
//
//   - RetryAfter gives the delay to snooze a River job for.
//   - IsTransient and IsPermanent tell retryable failures from final ones.
//
// Then retry transient failures with resterr.Backoff or resterr.Retry
// (capped exponential backoff with full jitter), or with River's own retry
// schedule.
package restlimit
