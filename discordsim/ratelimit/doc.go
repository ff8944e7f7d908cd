// Package ratelimit reproduces Discord's REST rate limiting on the server
// side of the emulator: a per-token global limit, per-route buckets keyed by
// route and major parameter, the invalid-request counter that precedes
// Cloudflare bans, and a fault-injection "storm" of global 429s.
//
// Windows are fixed, not sliding: a bucket's window opens at the first
// request that touches it and closes Window later, at which point the count
// drops to zero in one step. This matches what clients observe from Discord,
// whose X-RateLimit-Reset is a single timestamp after which the whole bucket
// is available again, and it is what client libraries (disgo included) model.
//
// The Limiter never sleeps and reads time only through the injected clock, so
// callers and tests stay deterministic.
package ratelimit
