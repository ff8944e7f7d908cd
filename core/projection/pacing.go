package projection

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
)

// Pacing lives in core_projection_pacing so every process sees one schedule:
//
//   - Per channel, recent holds the latest sends; a send is booked only if
//     fewer than ChannelEdits fall in the ChannelWindow before now (a sliding
//     window, stricter than Discord's fixed one, so it never trips it). Bursts
//     are allowed, so dashboards sharing a channel rarely collide; when the
//     channel is full the worker waits (or snoozes) without holding a global
//     slot it cannot use.
//   - Row 0 is the global schedule: slots 1/GlobalPerSecond apart. Booking
//     takes the next free slot, at most MaxSleep ahead, and the worker sleeps
//     until it. Workers book in the order River hands them jobs (oldest
//     scheduled_at first), so under saturation dashboards are served
//     round-robin and none starves.
//   - Per message, a dashboard waits ChannelWindow/ChannelEdits × (dashboards
//     wanting edits in its channel) after its last edit, which shares a
//     channel's 5 edits per 5 s fairly instead of letting a hot dashboard
//     take them all.
//
// Times come from the database clock (clock_timestamp()), so processes on
// different machines agree; workers only sleep relative delays locally.

// book reserves a send for channelID (0: global budget only) using n global
// slots. booked=false means nothing was reserved and delay is how long until
// the channel frees or the global slot is within reach.
//
// When booked, sendAt is the slot in local clock terms: the database's
// offset was taken when the rows were read, so the booking transaction's own
// commit latency does not make the send late.
func (s *Service) book(ctx context.Context, channelID uint64, n int) (delay time.Duration, sendAt time.Time, booked bool, err error) {
	tx, err := s.db.Pool.BeginTx(ctx, pgx.TxOptions{})
	if err != nil {
		return 0, time.Time{}, false, fmt.Errorf("projection: begin pacing: %w", err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	if channelID != 0 {
		if _, err := tx.Exec(ctx, `INSERT INTO core_projection_pacing (channel_id) VALUES ($1) ON CONFLICT DO NOTHING`,
			int64(channelID)); err != nil {
			return 0, time.Time{}, false, fmt.Errorf("projection: pacing row: %w", err)
		}
	}
	// ORDER BY makes every process lock the global row first: no deadlocks.
	rows, err := tx.Query(ctx, `SELECT channel_id, next_at, recent, clock_timestamp() FROM core_projection_pacing
		WHERE channel_id = ANY($1) ORDER BY channel_id FOR UPDATE`, []int64{0, int64(channelID)})
	if err != nil {
		return 0, time.Time{}, false, fmt.Errorf("projection: lock pacing: %w", err)
	}
	var (
		globalNext, now time.Time
		recent          []time.Time
	)
	for rows.Next() {
		var (
			id   int64
			next time.Time
			rec  []time.Time
		)
		if err := rows.Scan(&id, &next, &rec, &now); err != nil {
			rows.Close()
			return 0, time.Time{}, false, fmt.Errorf("projection: read pacing: %w", err)
		}
		if id == 0 {
			globalNext = next
		} else {
			recent = rec
		}
	}
	rows.Close()
	local := time.Now()
	if err := rows.Err(); err != nil {
		return 0, time.Time{}, false, fmt.Errorf("projection: read pacing: %w", err)
	}
	slices.SortFunc(recent, time.Time.Compare)
	if k := s.opts.ChannelEdits; channelID != 0 && len(recent) >= k {
		if free := recent[len(recent)-k].Add(s.opts.ChannelWindow); free.After(now) {
			return free.Sub(now), time.Time{}, false, nil
		}
	}
	// The global row is a plain pacer: slots exactly 1/GlobalPerSecond
	// apart, never early. Sends leave at most one slot late (lateTolerance)
	// and reach Discord with some jitter; without a burst allowance that
	// still leaves any one second at about GlobalPerSecond+3 (49 of 50).
	// Bursting to make up idle slots was tried: under CPU starvation two
	// processes then tipped a second over 50.
	gap := time.Duration(float64(time.Second) / s.opts.GlobalPerSecond)
	at := now
	if globalNext.After(at) {
		at = globalNext
	}
	if wait := at.Sub(now); wait > s.opts.MaxSleep {
		return wait, time.Time{}, false, nil
	}
	next := globalNext
	if next.Before(now) {
		next = now
	}
	if _, err := tx.Exec(ctx, `UPDATE core_projection_pacing SET next_at = $1 WHERE channel_id = 0`,
		next.Add(time.Duration(n)*gap)); err != nil {
		return 0, time.Time{}, false, fmt.Errorf("projection: book global slot: %w", err)
	}
	if channelID != 0 {
		recent = append(recent, at)
		if len(recent) > s.opts.ChannelEdits {
			recent = recent[len(recent)-s.opts.ChannelEdits:]
		}
		if _, err := tx.Exec(ctx, `UPDATE core_projection_pacing SET recent = $1 WHERE channel_id = $2`,
			recent, int64(channelID)); err != nil {
			return 0, time.Time{}, false, fmt.Errorf("projection: book channel slot: %w", err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, time.Time{}, false, fmt.Errorf("projection: commit pacing: %w", err)
	}
	return at.Sub(now), local.Add(at.Sub(now)), true, nil
}

// reserve books a send and sleeps until it, or returns a snooze error when
// the wait is long or other refreshes are queued behind this one.
func (s *Service) reserve(ctx context.Context, channelID uint64, n int) (time.Time, error) {
	for {
		delay, sendAt, booked, err := s.book(ctx, channelID, n)
		if err != nil {
			return time.Time{}, err
		}
		if booked {
			if err := sleep(ctx, time.Until(sendAt)); err != nil {
				return time.Time{}, err
			}
			// Woken too late (a starved process): sending now would bunch
			// with the next slots and could exceed the per-second ceiling
			// once several processes do it. Give the slot up and book again.
			if late := time.Since(sendAt); late > s.lateTolerance() {
				s.log.Debug("woke too late for the send slot; booking another", "late", late)
				continue
			}
			return time.Now(), nil
		}
		if err := s.pause(ctx, delay); err != nil {
			return time.Time{}, err
		}
	}
}

// lateTolerance is how late after its slot a send may still go out: one
// global slot, so late sends cannot bunch into a burst.
func (s *Service) lateTolerance() time.Duration {
	return time.Duration(float64(time.Second) / s.opts.GlobalPerSecond)
}

// pause waits d in-process when that is short and no other refresh is
// waiting for a worker; otherwise it returns a snooze, which puts this job
// behind the ones already queued (River fetches oldest scheduled_at first)
// without spending an attempt.
func (s *Service) pause(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	if d > s.opts.MaxSleep || s.othersWaiting(ctx) {
		return river.JobSnooze(d)
	}
	return sleep(ctx, d)
}

// othersWaiting reports refresh jobs that are due but not picked up, i.e.
// every worker is busy: holding one to sleep would delay them.
func (s *Service) othersWaiting(ctx context.Context) bool {
	var waiting bool
	err := s.db.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM river_job
		WHERE state = 'available' AND queue = $1 AND scheduled_at <= now())`, QueueName).Scan(&waiting)
	if err != nil {
		return true // when unsure, yield
	}
	return waiting
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// newNonce returns a 24-character nonce (Discord allows 25).
func newNonce() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
