package publicpost

import (
	"time"

	"github.com/together-bot/together/core/discord/resterr"
)

// Name is the module's id in --modules, /config, queues and i18n keys.
const Name = "publicpost"

// Config tunes the publisher; the zero value takes the defaults below.
type Config struct {
	// Lease is how long a claimed post is reserved for the claimer. Keep it
	// well under Discord's nonce memory (a few minutes): a post whose
	// claimer died is reclaimed after Lease (+ up to one SweepEvery) and
	// resent with the same nonce, which Discord then deduplicates.
	Lease time.Duration
	// NonceTrust is how long after a first attempt we trust Discord's
	// enforce_nonce to deduplicate. Past it, the channel is searched for
	// the post's message before sending again. Default 3 min (Discord keeps
	// nonces "a few minutes"; the emulator 5).
	NonceTrust time.Duration
	// MaxAttempts bounds transient failures (5xx, network) before a post
	// fails. 429s are not counted.
	MaxAttempts int
	// Backoff spaces transient retries.
	Backoff resterr.BackoffPolicy
	// SendTimeout bounds one Discord call (including waiting in the limiter);
	// capped at Lease/2.
	SendTimeout time.Duration
	// Concurrency is how many posts one sweep sends at once; the REST
	// limiter, not this, sets the rate.
	Concurrency int
	// SweepBudget bounds one sweep run (below River's 2 min job timeout);
	// a sweep that runs out re-runs at once (snooze 0).
	SweepBudget time.Duration
	// SweepEvery is the periodic sweep's schedule spec.
	SweepEvery string
	// LookupLimit caps how many channel messages the stale-post lookup reads.
	LookupLimit int
}

func (c Config) withDefaults() Config {
	if c.Lease <= 0 {
		// Short enough that a crashed claimer's posts go out again within
		// a minute (the crash drill measures it); SendTimeout is half.
		c.Lease = 20 * time.Second
	}
	if c.NonceTrust <= 0 {
		c.NonceTrust = 3 * time.Minute
	}
	if c.MaxAttempts <= 0 {
		// With the default backoff (5 s doubling to a 10 min cap) 20 attempts
		// ride out roughly 1.5-2 h of Discord trouble before a post fails.
		c.MaxAttempts = 20
	}
	if c.Backoff.Base <= 0 {
		c.Backoff = resterr.BackoffPolicy{Base: 5 * time.Second, Max: 10 * time.Minute}
	}
	if c.SendTimeout <= 0 {
		c.SendTimeout = 20 * time.Second
	}
	// A send must end well inside its lease, or a reclaimer could start the
	// same post while the first send is still waiting in the rate limiter.
	c.SendTimeout = min(c.SendTimeout, c.Lease/2)
	if c.Concurrency <= 0 {
		c.Concurrency = 16
	}
	if c.SweepBudget <= 0 {
		c.SweepBudget = 45 * time.Second
	}
	if c.SweepEvery == "" {
		c.SweepEvery = "@every 15s"
	}
	if c.LookupLimit <= 0 {
		c.LookupLimit = 500
	}
	return c
}
