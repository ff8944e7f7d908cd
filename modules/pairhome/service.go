package pairhome

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/guild"
	"github.com/together-bot/together/core/module/modcore"
	"github.com/together-bot/together/modules/pairhome/pairhomeapi"
)

// consentTTL is how long one member's "dissolve" waits for the partner's.
const consentTTL = 48 * time.Hour

// guildSettings is what the Pair Home panel needs of core/guild's Service.
type guildSettings interface {
	Settings(ctx context.Context, guildID uint64) (guild.Settings, error)
	Locale(ctx context.Context, guildID uint64) string
}

// serviceConfig builds a service.
type serviceConfig struct {
	Core      modcore.Core // every field is used
	BotUserID uint64
	Sections  *sectionSet // shared with the panel; nil: none
}

// service owns pairs: the business rules, the rooms and the read API other
// modules use through pairhomeapi.Pairs.
type service struct {
	modcore.Core
	botID    atomic.Uint64
	sections *sectionSet
	// afterChannelCreate is a test hook run between creating a room and
	// recording it; an error simulates a crash at that point.
	afterChannelCreate func(channelID uint64) error
	// events counts gateway event handlers still running.
	events sync.WaitGroup
}

// newService validates the configuration.
func newService(cfg serviceConfig) (*service, error) {
	core, err := cfg.Core.Ready(Name, modcore.DB|modcore.Queue|modcore.Projections|modcore.Guilds|modcore.Bundle|modcore.Rest)
	if err != nil {
		return nil, err
	}
	if cfg.Sections == nil {
		cfg.Sections = newSectionSet(nil)
	}
	s := &service{Core: core, sections: cfg.Sections}
	s.botID.Store(cfg.BotUserID)
	return s, nil
}

// createInput names the two members and who asks.
type createInput struct {
	GuildID, MemberA, MemberB, By uint64
	// Display names, used for the room's name (any script is kept).
	NameA, NameB string
}

// Create pairs two members. It is idempotent: asking again for the same two
// members returns their pair (created=false) and re-queues a room that is
// still pending, which is how a crash between the steps is repaired.
func (s *service) Create(ctx context.Context, in createInput) (pairRef, bool, error) {
	if in.MemberA == in.MemberB {
		return pairRef{}, false, errSelfPair
	}
	st, err := s.Guilds.Settings(ctx, in.GuildID)
	if err != nil {
		return pairRef{}, false, fmt.Errorf("pairhome: guild settings: %w", err)
	}
	if _, ok := st.Channel(Name, categoryPurposeKey); !ok {
		// Refused up front: a pair without a place for its room helps nobody.
		return pairRef{}, false, errNoCategory
	}
	row := pairRow{GuildID: int64(in.GuildID), UserLow: int64(in.MemberA), UserHigh: int64(in.MemberB),
		RoomName: roomName(in.NameA, in.NameB), CreatedBy: ptrID(in.By)}
	if in.MemberB < in.MemberA {
		row.UserLow, row.UserHigh = row.UserHigh, row.UserLow
		row.RoomName = roomName(in.NameB, in.NameA)
	}
	// Concurrent creates meet on pairhome_members' primary key; the loser
	// retries and then sees the winner's pair.
	for attempt := 1; ; attempt++ {
		out, created, err := db.Transact(ctx, s.DB, func(ctx context.Context, tx bun.Tx) (pairRef, bool, error) {
			return s.createTx(ctx, tx, in, row)
		})
		if err != nil && db.IsUniqueViolation(err, "") && attempt < 3 {
			continue
		}
		return out, created, err
	}
}

func (s *service) createTx(ctx context.Context, tx bun.Tx, in createInput, row pairRow) (pairRef, bool, error) {
	var existing []struct {
		UserID int64 `bun:"user_id"`
		PairID int64 `bun:"pair_id"`
	}
	if err := tx.NewRaw(`SELECT user_id, pair_id FROM pairhome_members WHERE guild_id = ? AND user_id IN (?, ?)`,
		int64(in.GuildID), int64(in.MemberA), int64(in.MemberB)).Scan(ctx, &existing); err != nil && !db.IsNoRows(err) {
		return pairRef{}, false, fmt.Errorf("pairhome: read memberships: %w", err)
	}
	if len(existing) == 2 && existing[0].PairID == existing[1].PairID {
		r, err := lockPair(ctx, tx, existing[0].PairID)
		if err != nil {
			return pairRef{}, false, err
		}
		if r.RoomState == roomPending {
			if err := s.enqueue(ctx, tx, roomArgs{GuildID: in.GuildID, PairID: r.ID}); err != nil {
				return pairRef{}, false, err
			}
		}
		return r.ref(), false, nil
	}
	if len(existing) > 0 {
		e := existing[0]
		for _, x := range existing {
			if uint64(x.UserID) == in.MemberA {
				e = x
			}
		}
		return pairRef{}, false, &alreadyPairedError{UserID: uint64(e.UserID), PairID: e.PairID}
	}
	if err := insertPair(ctx, tx, &row); err != nil {
		return pairRef{}, false, err
	}
	if err := s.enqueue(ctx, tx, roomArgs{GuildID: in.GuildID, PairID: row.ID}); err != nil {
		return pairRef{}, false, err
	}
	s.Logger.Info("pair created", "guild_id", in.GuildID, "pair_id", row.ID, "by", in.By, "action", "pair.create")
	return row.ref(), true, nil
}

// Dissolve archives a pair on a staff member's decision.
func (s *service) Dissolve(ctx context.Context, guildID uint64, pairID int64, by uint64) (pairRef, error) {
	var out pairRef
	err := s.DB.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		r, err := lockPair(ctx, tx, pairID)
		if err != nil {
			return err
		}
		if uint64(r.GuildID) != guildID {
			return pairhomeapi.ErrNoPair
		}
		if r.Status != statusActive {
			return errNotActive
		}
		out = r.ref()
		return s.archiveTx(ctx, tx, r, reasonDissolved, by)
	})
	return out, err
}

// ConsentDissolve records that a member wants to dissolve their pair; the
// second member's consent archives it.
func (s *service) ConsentDissolve(ctx context.Context, guildID uint64, pairID int64, userID uint64) (pairRef, bool, error) {
	return db.Transact(ctx, s.DB, func(ctx context.Context, tx bun.Tx) (pairRef, bool, error) {
		r, err := lockPair(ctx, tx, pairID)
		if err != nil {
			return pairRef{}, false, err
		}
		p := r.ref()
		switch {
		case uint64(r.GuildID) != guildID:
			return pairRef{}, false, pairhomeapi.ErrNoPair
		case r.Status != statusActive:
			return pairRef{}, false, errNotActive
		case !p.Has(userID):
			return pairRef{}, false, pairhomeapi.ErrNotPairMember
		}
		n, err := addConsent(ctx, tx, pairID, userID, consentTTL)
		if err != nil || n < 2 {
			return p, false, err
		}
		return p, true, s.archiveTx(ctx, tx, r, reasonDissolved, userID)
	})
}

// MemberLeft archives the active pair of a member who left the guild.
func (s *service) MemberLeft(ctx context.Context, guildID, userID uint64) (bool, error) {
	archived := false
	err := s.DB.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		r, err := activePairOf(ctx, tx, guildID, userID)
		r, found, err := lockFound(ctx, tx, r, err)
		if err != nil || !found || r.Status != statusActive {
			return err
		}
		archived = true
		return s.archiveTx(ctx, tx, r, reasonMemberLeft, 0)
	})
	return archived, err
}

// roomDeleted handles a room deleted by hand: an active pair gets a new
// room; an archived pair's room is simply gone.
func (s *service) RoomDeleted(ctx context.Context, guildID, channelID uint64) error {
	return s.DB.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		r, err := pairByChannel(ctx, tx, channelID)
		r, found, err := lockFound(ctx, tx, r, err)
		if err != nil || !found || uint64(r.GuildID) != guildID {
			return err
		}
		if r.Status == statusActive {
			ok, err := forgetRoom(ctx, tx, r.ID, channelID)
			if err != nil || !ok {
				return err
			}
			s.Logger.Info("pair room deleted by hand; recreating it", "guild_id", guildID, "pair_id", r.ID, "channel_id", channelID)
			return s.enqueue(ctx, tx, roomArgs{GuildID: guildID, PairID: r.ID})
		}
		if err := setRoomState(ctx, tx, r.ID, channelID, roomDeleted); err != nil {
			return err
		}
		return s.RequestPanel(ctx, tx, r.ID)
	})
}

// archiveTx archives r and queues what follows: the room's archive and a
// last render of the panel.
func (s *service) archiveTx(ctx context.Context, tx bun.Tx, r pairRow, reason string, by uint64) error {
	ok, err := archivePair(ctx, tx, r.ID, reason, by)
	if err != nil || !ok {
		return err
	}
	if err := s.enqueue(ctx, tx, archiveArgs{GuildID: uint64(r.GuildID), PairID: r.ID}); err != nil {
		return err
	}
	s.Logger.Info("pair archived", "guild_id", r.GuildID, "pair_id", r.ID, "reason", reason, "by", by, "action", "pair.archive")
	return s.RequestPanel(ctx, tx, r.ID)
}

// enqueue inserts a job in the caller's transaction.
func (s *service) enqueue(ctx context.Context, tx bun.Tx, args river.JobArgs) error {
	if _, err := s.Queue.InsertTx(ctx, tx, args, nil); err != nil {
		return fmt.Errorf("pairhome: enqueue %s: %w", args.Kind(), err)
	}
	return nil
}

func ptrID(id uint64) *int64 {
	if id == 0 {
		return nil
	}
	v := int64(id)
	return &v
}
