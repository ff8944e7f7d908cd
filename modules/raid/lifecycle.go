package raid

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/guild"
	"github.com/together-bot/together/core/queue"
)

// purposeKey is the raid channel's guild.ChannelPurpose key.
const purposeKey = "channel"

// startSpec is what /raid start (or the weekly step) asks for.
type startSpec struct {
	GuildID   uint64
	ChannelID uint64 // 0: the configured raid channel
	Goal      int    // 0: defaultGoal
	By        uint64 // 0: the weekly step
}

// StartRaid starts the guild's raid for the current guild-local week,
// ending next Monday 00:00 local time. A second active raid is refused by
// the partial unique index, so two staff members (or staff and the step)
// starting at once cannot both succeed.
func (s *service) StartRaid(ctx context.Context, spec startSpec) (raid, error) {
	if spec.Goal == 0 {
		st, err := loadRaidSettings(ctx, s.DB.Bun, spec.GuildID)
		if err != nil {
			return raid{}, err
		}
		spec.Goal = st.Goal
	}
	if spec.Goal < 1 || spec.Goal > maxGoal {
		return raid{}, errBadInput.With("field", "goal", "min", 1, "max", maxGoal)
	}
	// An active raid is the more useful answer than a missing channel (the
	// index below still decides races).
	if _, err := activeRaid(ctx, s.DB.Bun, spec.GuildID); err == nil {
		return raid{}, errRaidActive
	}
	if spec.ChannelID == 0 {
		st, err := s.Guilds.Settings(ctx, spec.GuildID)
		if err != nil {
			return raid{}, fmt.Errorf("raid: read the raid channel of guild %d: %w", spec.GuildID, err)
		}
		if spec.ChannelID, err = st.RequireChannel(Name, purposeKey); err != nil {
			return raid{}, err
		}
	}
	if err := s.LoadLibrary(ctx); err != nil {
		return raid{}, err
	}
	r, started, err := s.start(ctx, spec, false)
	if err != nil {
		return raid{}, err
	}
	if !started {
		return raid{}, errRaidActive
	}
	return r, nil
}

// start inserts the raid and its first effects in one transaction. auto
// (the weekly step) only starts when the guild has had no raid at all this
// week, so a raid staff ended stays ended until next week.
func (s *service) start(ctx context.Context, spec startSpec, auto bool) (raid, bool, error) {
	out, started, err := db.Transact(ctx, s.DB, func(ctx context.Context, tx bun.Tx) (raid, bool, error) {
		return s.startTx(ctx, tx, spec, auto)
	})
	if err != nil {
		return raid{}, false, err
	}
	if started {
		s.Logger.Info("raid started", "guild_id", spec.GuildID, "raid_id", out.ID, "week", out.WeekStart, "auto", auto,
			"by", spec.By, "action", "raid.start")
	}
	return out, started, nil
}

// startTx is start in the caller's transaction. A raid already active in
// the guild (another replica, or staff, won the race) means not started,
// not an error, so it never aborts the caller's transaction.
func (s *service) startTx(ctx context.Context, tx bun.Tx, spec startSpec, auto bool) (raid, bool, error) {
	loc := s.Guilds.Location(ctx, spec.GuildID)
	now := s.now()
	week := weekAt(now, loc)
	var by any
	if spec.By != 0 {
		by = int64(spec.By)
	}
	st, err := loadRaidSettings(ctx, tx, spec.GuildID)
	if err != nil {
		return raid{}, false, err
	}
	if spec.Goal == 0 {
		spec.Goal = st.Goal
	}
	q := `INSERT INTO raid_raids (guild_id, channel_id, timezone, week_start, ends_at, goal, daily_cap, offers_per_day,
		auto, created_by, shown_day)
		SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?`
	if auto {
		q += ` WHERE NOT EXISTS (SELECT 1 FROM raid_raids WHERE guild_id = ? AND week_start = ?)`
	}
	// The partial unique index raid_raids_one_active decides races.
	q += ` ON CONFLICT (guild_id) WHERE status = 'active' DO NOTHING RETURNING ` + raidCols
	args := []any{int64(spec.GuildID), int64(spec.ChannelID), loc.String(), string(week.Start), week.End, spec.Goal,
		st.DailyCap, st.OffersPerDay, auto, by, string(dayAt(now, loc))}
	if auto {
		args = append(args, int64(spec.GuildID), string(week.Start))
	}
	out, err := scanRaid(tx.QueryRowContext(ctx, q, args...))
	if db.IsNoRows(err) {
		return raid{}, false, nil // this week already had its raid, or one is active
	}
	if err != nil {
		return raid{}, false, fmt.Errorf("raid: start in guild %d: %w", spec.GuildID, err)
	}
	if _, err := ensureOffers(ctx, tx, out, dayAt(now, loc)); err != nil {
		return raid{}, false, err
	}
	if err := s.requestBoard(ctx, tx, out.ID); err != nil {
		return raid{}, false, err
	}
	if err := s.pairs.RequestPanels(ctx, tx, spec.GuildID); err != nil {
		return raid{}, false, err
	}
	return out, true, nil
}

// channelHook shows the raid dashboard within seconds of the raid channel
// being set (guild.ChannelHooks), in the transaction that sets it: a guild
// with raid on and no raid yet this week gets the week's raid started there,
// as the weekly step would do at its next run; an active raid that was in
// the previously configured channel moves with it (the core deletes the old
// message and posts the new one). A raid started with an explicit channel
// stays where staff put it, and clearing the channel leaves the active raid
// alone: it only stops next week's start.
func (s *service) channelHook() guild.ChannelHook {
	return guild.ChannelHook{Purpose: purpose.ID(), OnChange: func(ctx context.Context, tx bun.Tx, c guild.ChannelChange) error {
		if c.To == 0 {
			return nil
		}
		r, err := activeRaid(ctx, tx, c.GuildID)
		if errors.Is(err, errNoRaid) {
			return s.startWithChannel(ctx, tx, c)
		}
		if err != nil {
			return err
		}
		if r.ChannelID != c.From && r.ChannelID != c.To {
			return nil
		}
		if r.ChannelID != c.To {
			if _, err := tx.ExecContext(ctx, `UPDATE raid_raids SET channel_id = ? WHERE id = ?`, int64(c.To), r.ID); err != nil {
				return fmt.Errorf("raid: move raid %d to channel %d: %w", r.ID, c.To, err)
			}
			s.Logger.Info("raid dashboard moved with the raid channel", "guild_id", c.GuildID, "raid_id", r.ID,
				"from", c.From, "to", c.To, "by", c.By, "action", "raid.move")
		}
		return s.requestBoard(ctx, tx, r.ID)
	}}
}

// startWithChannel is the weekly step's start for one guild, run by the
// channel hook: only where raid is on and the guild had no raid this week.
func (s *service) startWithChannel(ctx context.Context, tx bun.Tx, c guild.ChannelChange) error {
	on, err := s.Guilds.ModuleEnabled(ctx, Name, c.GuildID)
	if err != nil || !on {
		return err
	}
	if err := s.LoadLibrary(ctx); err != nil {
		return err
	}
	r, started, err := s.startTx(ctx, tx, startSpec{GuildID: c.GuildID, ChannelID: c.To}, true)
	if err == nil && started {
		s.Logger.Info("raid started with the raid channel", "guild_id", c.GuildID, "raid_id", r.ID, "week", r.WeekStart,
			"by", c.By, "action", "raid.start")
	}
	return err
}

// EndRaid ends the guild's active raid now (staff). The dashboard shows
// its final state.
func (s *service) EndRaid(ctx context.Context, guildID, by uint64) (raid, error) {
	r, err := activeRaid(ctx, s.DB.Bun, guildID)
	if err != nil {
		return raid{}, err
	}
	out, ok, err := s.end(ctx, r.ID, by, time.Time{})
	if err != nil {
		return raid{}, err
	}
	if !ok {
		return raid{}, errNoRaid
	}
	return out, nil
}

// end moves one raid to ended, guarded by its status (and, for the step,
// by its end time), with the board and panels in the same transaction. A
// confirm racing with it either commits first (its points count) or finds
// the raid ended and rolls back.
func (s *service) end(ctx context.Context, raidID int64, by uint64, expiredBefore time.Time) (raid, bool, error) {
	var out raid
	ended := false
	var byArg any
	if by != 0 {
		byArg = int64(by)
	}
	err := s.DB.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		q := `UPDATE raid_raids SET status = 'ended', ended_at = ?, ended_by = ? WHERE id = ? AND status = 'active'`
		args := []any{s.now(), byArg, raidID}
		if !expiredBefore.IsZero() {
			q += ` AND ends_at <= ?`
			args = append(args, expiredBefore)
		}
		var err error
		out, err = scanRaid(tx.QueryRowContext(ctx, q+` RETURNING `+raidCols, args...))
		if db.IsNoRows(err) {
			return nil
		}
		if err != nil {
			return err
		}
		ended = true
		if err := s.requestBoard(ctx, tx, out.ID); err != nil {
			return err
		}
		return s.pairs.RequestPanels(ctx, tx, out.GuildID)
	})
	if err != nil {
		return raid{}, false, fmt.Errorf("raid: end raid %d: %w", raidID, err)
	}
	if ended {
		s.Logger.Info("raid ended", "guild_id", out.GuildID, "raid_id", out.ID, "progress", out.Progress, "goal", out.Goal,
			"by", by, "action", "raid.end")
	}
	return out, ended, nil
}

// stepResult reports what one Step did.
type stepResult struct {
	Ended, Started, DayChanged, Prompts int
}

// Step is the frequent periodic step: it ends expired raids first, then
// starts the current week's raid for every guild where raid is on and a
// raid channel is configured, then refreshes boards whose local day
// changed and re-queues undelivered prompts. Each part is idempotent, so a
// second run (or one after a missed week) changes nothing it should not.
// One guild's failure does not stop the others; failures are joined.
func (s *service) Step(ctx context.Context) (stepResult, error) {
	var res stepResult
	var errs []error
	now := s.now()
	ids, err := s.ids(ctx, `SELECT id FROM raid_raids WHERE status = 'active' AND ends_at <= ? ORDER BY id`, now)
	if err != nil {
		return res, err
	}
	for _, id := range ids {
		if queue.NearDeadline(ctx) {
			return res, errors.Join(append(errs, queue.ErrPassUnfinished)...)
		}
		_, ok, err := s.end(ctx, id, 0, now)
		if err != nil {
			errs = append(errs, err)
		} else if ok {
			res.Ended++
		}
	}
	// Only guilds with a raid channel where raid is on and no raid this
	// local week, a page at a time: the step serves every guild, so the
	// queue's per-guild gate cannot skip it; the query does, and with
	// nothing to start it costs one query whatever the number of guilds.
	loaded := false
	for after := uint64(0); ; {
		guilds, err := startDue(ctx, s.DB.Bun, now, s.Guilds.DefaultLocation().String(), after, stepPage)
		if err != nil {
			return res, err
		}
		if len(guilds) > 0 && !loaded {
			if err := s.LoadLibrary(ctx); err != nil {
				return res, err
			}
			loaded = true
		}
		for _, g := range guilds {
			if queue.NearDeadline(ctx) {
				return res, errors.Join(append(errs, queue.ErrPassUnfinished)...)
			}
			_, started, err := s.start(ctx, startSpec{GuildID: g.GuildID, ChannelID: g.ChannelID}, true)
			if err != nil {
				errs = append(errs, err)
			} else if started {
				res.Started++
			}
		}
		if len(guilds) < stepPage {
			break
		}
		after = guilds[len(guilds)-1].GuildID
	}
	n, err := s.refreshDays(ctx, now)
	res.DayChanged = n
	if err != nil {
		errs = append(errs, err)
	}
	if errors.Is(err, queue.ErrPassUnfinished) {
		return res, errors.Join(errs...)
	}
	n, err = s.requeuePrompts(ctx)
	res.Prompts = n
	if err != nil {
		errs = append(errs, err)
	}
	return res, errors.Join(errs...)
}

// stepPage bounds the guilds and raids one query of the step returns.
const stepPage = 500

// refreshDays re-renders the dashboard and pair panels of every active raid
// whose local day moved since they were last shown (new offers, the daily
// points reset), a page at a time; with no day change it costs one query.
// The guarded UPDATE makes it once per day and raid.
func (s *service) refreshDays(ctx context.Context, now time.Time) (int, error) {
	n := 0
	var errs []error
	for after := int64(0); ; {
		raids, err := dayChanged(ctx, s.DB.Bun, now, after, stepPage)
		if err != nil {
			return n, errors.Join(append(errs, err)...)
		}
		k, err := s.showDays(ctx, raids, now)
		n += k
		if err != nil {
			errs = append(errs, err)
		}
		if errors.Is(err, queue.ErrPassUnfinished) {
			return n, errors.Join(errs...)
		}
		if len(raids) < stepPage {
			break
		}
		after = raids[len(raids)-1].ID
	}
	return n, errors.Join(errs...)
}

// showDays moves each raid's shown day to today and re-renders it.
func (s *service) showDays(ctx context.Context, raids []raid, now time.Time) (int, error) {
	n := 0
	var errs []error
	for _, r := range raids {
		if queue.NearDeadline(ctx) {
			return n, errors.Join(append(errs, queue.ErrPassUnfinished)...)
		}
		today := r.Today(now)
		changed := false
		err := s.DB.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
			res, err := tx.ExecContext(ctx, `UPDATE raid_raids SET shown_day = ? WHERE id = ? AND status = 'active'
				AND shown_day IS DISTINCT FROM ?`, string(today), r.ID, string(today))
			if err != nil {
				return err
			}
			if k, _ := res.RowsAffected(); k == 0 {
				return nil
			}
			changed = true
			if _, err := ensureOffers(ctx, tx, r, today); err != nil {
				return err
			}
			if err := s.requestBoard(ctx, tx, r.ID); err != nil {
				return err
			}
			return s.pairs.RequestPanels(ctx, tx, r.GuildID)
		})
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("raid: new day of raid %d: %w", r.ID, err))
		case changed:
			n++
		}
	}
	return n, errors.Join(errs...)
}

func (s *service) ids(ctx context.Context, q string, args ...any) ([]int64, error) {
	out, err := db.Query(ctx, s.DB.Bun, db.Scan[int64], q, args...)
	if err != nil {
		return nil, fmt.Errorf("raid: step query: %w", err)
	}
	return out, nil
}
