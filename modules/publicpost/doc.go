// Package publicpost is the scheduled-post outbox: any module (or staff, with
// /post schedule) records a post in publicpost_posts inside its own
// transaction, and the publisher turns each row into exactly one Discord
// message at or after its time.
//
// # Delivery
//
// A post is published by a River job inserted with it (promptly when due) and
// by a periodic sweep that catches anything missed (outages, crashes, guilds
// that turned the module back on). Both claim rows with FOR UPDATE SKIP
// LOCKED and move them to processing under a lease, so two processes never
// publish one row at the same time.
//
// Exactly one message per post, even when a process dies between Discord's
// answer and the database write: every send carries a nonce derived from the
// post id with enforce_nonce, so Discord returns the existing message instead
// of creating a second one. Discord only remembers nonces for a few minutes;
// the lease (default 60 s) plus the sweep interval (default 30 s) bring a
// crashed post back well inside that window. A post whose first attempt is
// older than NonceTrust (default 3 min) is looked up in the channel before it
// is sent again (see lookup.go for the exact window).
//
// # Failure handling
//
//   - 429: back to pending after Discord's retry-after; the attempt is not counted.
//   - 5xx, timeouts, network: back to pending with capped exponential backoff,
//     failed after Config.MaxAttempts with last_error "gave up after N attempts: …".
//   - unknown channel, missing access and other 4xx: failed at once with a
//     last_error naming the cause.
//   - publicpost turned off in the guild: the claim query skips the guild's
//     rows, which stay pending (no attempts, no log spam) and are reported by
//     GuildStatus for /admin status; they go out when the module is turned on.
//
// Operators use List, Requeue and PublishNow (app posts …, docs/operations.md §5).
package publicpost
