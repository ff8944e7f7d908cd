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

	"github.com/together-bot/together/core/ctxtime"
)

// Pacing of sends per channel lives in core_projection_pacing so every
// process sees one schedule:
//
//   - Per channel, recent holds the latest sends; a send is booked only if
//     fewer than ChannelEdits fall in the ChannelWindow before now (a sliding
//     window, stricter than Discord's fixed one). Bursts are allowed, so
//     dashboards sharing a channel rarely collide; when the channel is full
//     the worker waits (or snoozes).
//   - Per message, a dashboard waits ChannelWindow/ChannelEdits × (dashboards
//     wanting edits in its channel) after its last edit, which shares a
//     channel's 5 edits per 5 s fairly instead of letting a hot dashboard
//     take them all.
//
// The global budget is not booked here: every REST call books its slot from
// the deployment's one budget in the REST limiter (restlimit.Shared), which
// also enforces the per-route buckets Discord reports. A refresh books its
// call's slot once the channel has room (restlimit.Limiter.Book), wakes a
// render lead before it (lead.go), renders, and sends in that slot, so the
// edit shows the state at its turn. The worker's context carries
// restlimit.WithMaxWait(MaxSleep), so a slot that cannot be had soon fails
// at once with the expected delay and the job snoozes for it.
//
// Times come from the database clock (clock_timestamp()), so processes on
// different machines agree; workers only sleep relative delays locally.

// book reserves a send in channelID's pacing. booked=false means nothing was
// reserved and delay is how long until the channel frees.
func (s *Service) book(ctx context.Context, channelID uint64) (delay time.Duration, booked bool, err error) {
	tx, err := s.db.Pool.BeginTx(ctx, pgx.TxOptions{})
	if err != nil {
		return 0, false, fmt.Errorf("projection: begin pacing: %w", err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	if _, err := tx.Exec(ctx, `INSERT INTO core_projection_pacing (channel_id) VALUES ($1) ON CONFLICT DO NOTHING`,
		int64(channelID)); err != nil {
		return 0, false, fmt.Errorf("projection: pacing row: %w", err)
	}
	var (
		recent []time.Time
		now    time.Time
	)
	if err := tx.QueryRow(ctx, `SELECT recent, clock_timestamp() FROM core_projection_pacing
		WHERE channel_id = $1 FOR UPDATE`, int64(channelID)).Scan(&recent, &now); err != nil {
		return 0, false, fmt.Errorf("projection: lock pacing: %w", err)
	}
	slices.SortFunc(recent, time.Time.Compare)
	if k := s.opts.ChannelEdits; len(recent) >= k {
		if free := recent[len(recent)-k].Add(s.opts.ChannelWindow); free.After(now) {
			return free.Sub(now), false, nil
		}
	}
	recent = append(recent, now)
	if len(recent) > s.opts.ChannelEdits {
		recent = recent[len(recent)-s.opts.ChannelEdits:]
	}
	if _, err := tx.Exec(ctx, `UPDATE core_projection_pacing SET recent = $1 WHERE channel_id = $2`,
		recent, int64(channelID)); err != nil {
		return 0, false, fmt.Errorf("projection: book channel slot: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, false, fmt.Errorf("projection: commit pacing: %w", err)
	}
	return 0, true, nil
}

// reserve books a send in the channel, waiting or returning a snooze error
// while the channel is full. It returns when the send was booked.
func (s *Service) reserve(ctx context.Context, channelID uint64) (time.Time, error) {
	for {
		delay, booked, err := s.book(ctx, channelID)
		if err != nil {
			return time.Time{}, err
		}
		if booked {
			return time.Now(), nil
		}
		if err := s.pause(ctx, delay); err != nil {
			return time.Time{}, err
		}
	}
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
	return ctxtime.Sleep(ctx, d)
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

// newNonce returns a 24-character nonce (Discord allows 25).
func newNonce() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
