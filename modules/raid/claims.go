package raid

import (
	"context"
	"errors"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/modules/hall/hallapi"
	"github.com/together-bot/together/modules/pairhome/pairhomeapi"
)

// claimResult is what Claim did.
type claimResult struct {
	Claim claim
	Quest quest
	Raid  raid
}

// Claim records that the member's pair did one of today's quests and
// queues the confirm prompt for the partner in the pair's room, in one
// transaction. The prompt is a job, so a room Discord refuses for a while
// does not lose it, and /raid quests shows the pending claim with its
// confirm button whatever happened to the prompt.
func (s *service) Claim(ctx context.Context, guildID, userID uint64, raidID int64, questKey string) (claimResult, error) {
	if err := s.LoadLibrary(ctx); err != nil {
		return claimResult{}, err
	}
	now := s.now()
	r, err := activeRaid(ctx, s.DB.Bun, guildID)
	if err != nil {
		return claimResult{}, err
	}
	if (raidID != 0 && r.ID != raidID) || !r.Open(now) {
		return claimResult{}, errRaidEnded
	}
	p, err := s.pairs.PairOf(ctx, s.DB.Bun, guildID, userID)
	if err != nil {
		return claimResult{}, err
	}
	today := r.Today(now)
	var res claimResult
	err = s.DB.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		offers, err := ensureOffers(ctx, tx, r, today)
		if err != nil {
			return err
		}
		var q quest
		for _, o := range offers {
			if o.Key == questKey {
				q = o
			}
		}
		if q.Key == "" {
			return errNotOffered
		}
		c, err := db.QueryRow(ctx, tx, scanClaim, errAlreadyClaimed, "raid: insert claim", `INSERT INTO raid_claims
			(raid_id, guild_id, pair_id, day, quest_key, points, requested_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (raid_id, pair_id, day, quest_key) DO NOTHING RETURNING `+claimCols,
			r.ID, int64(guildID), p.ID, string(today), q.Key, q.Points, int64(userID), now)
		if err != nil {
			return err
		}
		if _, err := s.Queue.InsertTx(ctx, tx, promptArgs{GuildID: guildID, ClaimID: c.ID}, nil); err != nil {
			return fmt.Errorf("raid: queue prompt: %w", err)
		}
		res = claimResult{Claim: c, Quest: q, Raid: r}
		return nil
	})
	if err != nil {
		return claimResult{}, err
	}
	s.Logger.Info("raid quest claimed", "guild_id", guildID, "raid_id", r.ID, "pair_id", p.ID, "claim_id", res.Claim.ID,
		"quest", questKey, "by", userID, "action", "raid.claim")
	return res, nil
}

// confirmResult is what Confirm did. Applied < Claim.Points means the daily
// cap cut the claim ("partially capped"); Applied == 0 means the cap was
// already full. Both are reported to the partner with the numbers, and the
// claim still counts as confirmed (it cannot be confirmed again).
type confirmResult struct {
	Claim   claim
	Applied int
	// UsedToday is the pair's total for the claim's day after this confirm.
	UsedToday int
	Cap       int
	Raid      raid
	// JustCompleted: this confirm reached the raid's goal.
	JustCompleted bool
}

// Capped reports a confirm that the daily cap cut.
func (r confirmResult) Capped() bool { return r.Applied < r.Claim.Points }

// Confirm applies a claim's points for the partner. Locks are always taken
// in the same order — claim, pair-day ledger, raid — so concurrent confirms
// queue rather than deadlock:
//
//   - the claim row lock makes a double confirm see "already confirmed";
//   - the ledger row lock serialises every confirm of the pair's day, and
//     applied = least(points, cap - used) is computed in SQL under it, so
//     no interleaving exceeds the cap or loses an update;
//   - the raid's progress moves by "progress + applied" under its row lock,
//     guarded by status and end time, so the total is the exact sum and a
//     raid ended meanwhile rolls the whole confirm back.
func (s *service) Confirm(ctx context.Context, guildID, userID uint64, claimID int64) (confirmResult, error) {
	now := s.now()
	var res confirmResult
	err := s.DB.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		c, err := loadClaim(ctx, tx, guildID, claimID, forUpdate)
		if err != nil {
			return err
		}
		p, err := s.pairs.PairOf(ctx, tx, guildID, userID)
		if errors.Is(err, pairhomeapi.ErrNoPair) || (err == nil && p.ID != c.PairID) {
			return pairhomeapi.ErrNotPairMember
		}
		if err != nil {
			return err
		}
		if userID == c.RequestedBy {
			return errSelfConfirm
		}
		if c.Status != claimPending {
			return errAlreadyConfirmed
		}
		r, err := loadRaid(ctx, tx, c.RaidID)
		if err != nil {
			return err
		}
		if !r.Open(now) {
			return errRaidEnded
		}
		if c.Day != r.Today(now) {
			return errNotToday
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO raid_pair_days (raid_id, pair_id, day, guild_id) VALUES (?, ?, ?, ?)
			ON CONFLICT DO NOTHING`, r.ID, c.PairID, string(c.Day), int64(guildID)); err != nil {
			return fmt.Errorf("raid: ledger row: %w", err)
		}
		var used int
		if err := tx.QueryRowContext(ctx, `SELECT points FROM raid_pair_days WHERE raid_id = ? AND pair_id = ? AND day = ? FOR UPDATE`,
			r.ID, c.PairID, string(c.Day)).Scan(&used); err != nil {
			return fmt.Errorf("raid: lock ledger: %w", err)
		}
		if err := tx.QueryRowContext(ctx, `UPDATE raid_pair_days SET points = points + least(?::int, greatest(?::int - points, 0))
			WHERE raid_id = ? AND pair_id = ? AND day = ? RETURNING points`,
			c.Points, r.DailyCap, r.ID, c.PairID, string(c.Day)).Scan(&res.UsedToday); err != nil {
			return fmt.Errorf("raid: apply to ledger: %w", err)
		}
		res.Applied, res.Cap = res.UsedToday-used, r.DailyCap
		if c, err = scanClaim(tx.QueryRowContext(ctx, `UPDATE raid_claims SET status = 'confirmed', applied = ?, confirmed_by = ?,
			confirmed_at = ? WHERE id = ? AND status = 'pending' RETURNING `+claimCols, res.Applied, int64(userID), now, c.ID)); err != nil {
			return fmt.Errorf("raid: mark claim confirmed: %w", err)
		}
		res.Claim = c
		res.Raid, err = db.QueryRow(ctx, tx, scanRaid, errRaidEnded, "raid: add to progress", `UPDATE raid_raids SET progress = progress + ?::int,
			completed_at = CASE WHEN completed_at IS NULL AND progress + ?::int >= goal THEN ?::timestamptz ELSE completed_at END
			WHERE id = ? AND status = 'active' AND ends_at > ? RETURNING `+raidCols, res.Applied, res.Applied, now, r.ID, now)
		if err != nil {
			return err
		}
		res.JustCompleted = res.Raid.Completed() && res.Raid.Progress-res.Applied < res.Raid.Goal
		if err := s.requestBoard(ctx, tx, r.ID); err != nil {
			return err
		}
		if err := hallapi.Request(ctx, s.hall, tx, r.GuildID); err != nil {
			return err
		}
		return s.pairs.RequestPanel(ctx, tx, c.PairID)
	})
	if err != nil {
		return confirmResult{}, err
	}
	s.Logger.Info("raid claim confirmed", "guild_id", guildID, "raid_id", res.Raid.ID, "pair_id", res.Claim.PairID,
		"claim_id", claimID, "points", res.Claim.Points, "applied", res.Applied, "by", userID, "action", "raid.confirm")
	if res.JustCompleted {
		s.Logger.Info("raid goal reached", "guild_id", guildID, "raid_id", res.Raid.ID, "goal", res.Raid.Goal, "action", "raid.completed")
	}
	return res, nil
}

// todayView is what /raid quests and the "Take today's quests" button show a
// member: the open raid, today's offers, and the pair's claims and points.
type todayView struct {
	Raid   raid
	Day    localDay
	Offers []quest
	Pair   pairhomeapi.Pair
	Claims []claim
	Points int // today's applied points
	Week   int // this raid's applied points
}

// TodayFor reads the member's view of the current raid day.
func (s *service) TodayFor(ctx context.Context, guildID, userID uint64) (todayView, error) {
	now := s.now()
	r, err := activeRaid(ctx, s.DB.Bun, guildID)
	if err != nil {
		return todayView{}, err
	}
	if !r.Open(now) {
		return todayView{}, errRaidEnded
	}
	t := todayView{Raid: r, Day: r.Today(now)}
	if t.Offers, err = dayOffers(ctx, s.DB.Bun, r, t.Day); err != nil {
		return todayView{}, err
	}
	t.Pair, err = s.pairs.PairOf(ctx, s.DB.Bun, guildID, userID)
	if errors.Is(err, pairhomeapi.ErrNoPair) {
		return t, nil // a member without a pair still sees the quests
	}
	if err != nil {
		return todayView{}, err
	}
	if t.Claims, err = pairClaims(ctx, s.DB.Bun, r.ID, t.Pair.ID, t.Day); err != nil {
		return todayView{}, err
	}
	if t.Points, t.Week, err = pairPoints(ctx, s.DB.Bun, r.ID, t.Pair.ID, t.Day); err != nil {
		return todayView{}, err
	}
	return t, nil
}
