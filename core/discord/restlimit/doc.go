// Package restlimit is the bot's client-side Discord REST rate limiter for
// disgo:
//
//	budget := restlimit.NewShared(pool, restlimit.SharedOptions{}) // one per process, same database
//	limiter := restlimit.New(restlimit.WithShared(budget), restlimit.WithLogger(log), restlimit.WithObserver(metrics))
//	client := rest.NewClient(token, rest.WithRateLimiter(limiter))
//
// core/discord/restclient builds it so for the runtime.
//
// It replaces disgo's default limiter (v0.19.6) to fix these problems:
//
//   - disgo ignored a global 429 (X-RateLimit-Global: true,
//     X-RateLimit-Scope: global, no X-RateLimit-Bucket), because it returns
//     early when the bucket header is missing. The client then retried
//     immediately, 10 times.
//   - disgo truncated fractional X-RateLimit-Reset-After values to whole
//     seconds (0.9s became 0s).
//   - disgo had no proactive global ceiling, and nothing in one process
//     knows what the others send with the same token.
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
// let requests through in bursts. With WithShared, the three steps are one
// booking in Postgres instead (see "One budget for the deployment").
//
// Interaction requests skip the global steps and never touch the shared
// budget, so they stay immediate: the callback
// (POST /interactions/{interaction.id}/{interaction.token}/callback) and
// every webhook route addressed with the interaction token
// (/webhooks/{application.id}/{interaction.token}..., the original response
// and follow-ups). Source: Discord's "Receiving and Responding" page,
// section Endpoints: "The endpoints below are not bound to the
// application's Global Rate Limit", listing exactly those routes
// (discord-api-docs, developers/interactions/receiving-and-responding.mdx).
// Their per-route limits still apply ("Interactions webhooks share the same
// rate limit properties as normal webhooks"), through in-memory buckets: an
// interaction token is used by the one process that received it.
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
// # One budget for the deployment (WithShared)
//
// Discord's 50 requests/s are per bot token, whatever the number of
// processes. Shared keeps the whole budget in Postgres (migration
// 051_rest_budget.sql), on the database's clock:
//
//   - core_rest_schedule row 0 is the global schedule: send slots exactly
//     1/46 s apart (DefaultSharedPerSecond, 92% of 50: the margin the
//     dashboard benchmarks needed). A request books the next free slot and
//     sleeps until it. A process that wakes more than one slot late gives
//     the slot up and books again, so late sends cannot bunch. A given-up
//     slot leaves its route's log and releases the route's probe
//     (core_rest_forgo, migration 052), so the route is not held back by a
//     request Discord never saw.
//   - core_rest_buckets holds every per-route bucket learned from
//     Discord's headers: the limit, the window (the longest
//     X-RateLimit-Reset-After seen, plus 5%), the booked send times of the
//     last limit requests, and a block until a reset or a 429's
//     retry_after. A booking is granted only if the bucket has room at the
//     slot's time, so N processes posting in one channel share its 5 per
//     5 s, and a request booked far ahead counts in the window it lands in.
//     Until the headers are known, one request (the probe) goes at a time.
//     Routes that report the same X-RateLimit-Bucket hash (same major
//     parameters) share one row (core_rest_routes).
//   - A global 429 any process receives pauses the schedule for everyone.
//
// One booking is one statement (core_rest_take; the schedule row is locked
// first, so there is no deadlock) and each response one more
// (core_rest_learn): about 0.5 ms each on an idle local Postgres
// (BenchmarkSharedTake, docs/benchmarks.md), small next to a Discord round
// trip, so there is no separate single-process path. Within a process, one
// request per bucket asks at a time, so a busy channel's waiters do not
// multiply queries.
//
// WithMaxWait(ctx, d) bounds the wait: a request that cannot be sent within
// d fails at once with a *WaitError carrying the expected delay, booking
// nothing (dashboards use it to snooze instead of holding a worker).
//
// Limiter.Book books a request's slot before the request exists and wakes
// the caller a lead before it; WithSlot hands the slot to the request,
// which then books nothing and goes out at the slot (same one-slot
// lateness rule). Dashboards use it to render their snapshot at their
// turn rather than before the wait: a snapshot taken before a 0.3 s wait
// missed the changes committed meanwhile, and those then waited a whole
// turn of the storm (docs/benchmarks.md). Slot.Forgo gives an unused slot
// up.
//
// Postgres unreachable: fail closed. Requests are held, retried every
// 250 ms, for SharedOptions.OutageWait (5 s), then fail with a *WaitError
// wrapping ErrBudgetUnavailable (RetryAfter 1 s; a River job snoozes). A
// per-process share (46/N) was rejected: a process cannot learn N
// reliably while the database is down, and a guess that is too high is what
// earns a ban. Interactions are unaffected.
//
// DISCORD_API_URL may point at a REST proxy; the budget still applies. Set
// DISCORD_REST_BUDGET=off only if the proxy paces the whole deployment
// itself (e.g. nirn-proxy); each process then keeps the in-memory buckets
// and ceiling below.
//
// # In-memory ceiling (without WithShared)
//
// The default GlobalLimiter is a SlidingWindow of 50 requests per second.
// It counts each request until its response arrives, so the ceiling also
// holds at Discord's end, whatever the network latency. The cost is some
// throughput: about 50 / (1s + RTT) requests per second. It holds for one
// process only; replace it with any GlobalLimiter, or disable it with
// WithGlobalLimit(0).
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
