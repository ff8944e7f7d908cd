package pairhome

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/disgo/rest"
	"github.com/disgoorg/snowflake/v2"
	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/guild"
	"github.com/together-bot/together/core/i18n"
	"github.com/together-bot/together/core/queue"
)

// consentTTL is how long one member's "dissolve" waits for the partner's.
const consentTTL = 48 * time.Hour

// Requester is what pairhome needs of core/projection's Service.
type Requester interface {
	Request(ctx context.Context, tx bun.Tx, kind, key string) error
}

// SettingsSource is what pairhome needs of core/guild's Service.
type SettingsSource interface {
	Settings(ctx context.Context, guildID uint64) (guild.Settings, error)
}

// Discord is the part of disgo's rest.Rest pairhome calls.
type Discord interface {
	GetGuildChannels(guildID snowflake.ID, opts ...rest.RequestOpt) ([]discord.GuildChannel, error)
	CreateGuildChannel(guildID snowflake.ID, c discord.GuildChannelCreate, opts ...rest.RequestOpt) (discord.GuildChannel, error)
	GetChannel(channelID snowflake.ID, opts ...rest.RequestOpt) (discord.Channel, error)
	UpdateChannel(channelID snowflake.ID, c discord.ChannelUpdate, opts ...rest.RequestOpt) (discord.Channel, error)
	DeleteChannel(channelID snowflake.ID, opts ...rest.RequestOpt) error
	GetMember(guildID, userID snowflake.ID, opts ...rest.RequestOpt) (*discord.Member, error)
	CreateMessage(channelID snowflake.ID, m discord.MessageCreate, opts ...rest.RequestOpt) (*discord.Message, error)
	GetCurrentUser(withCounts string, opts ...rest.RequestOpt) (*discord.OAuth2User, error)
}

// Config builds a Service.
type Config struct {
	DB            *db.DB
	Projections   Requester
	Settings      SettingsSource
	Discord       Discord // nil only for code that never touches rooms
	Bundle        *i18n.Bundle
	DefaultLocale string
	BotUserID     uint64
	Sections      []Section
	Logger        *slog.Logger
}

// Service owns pairs: the business rules, the rooms and the read API other
// modules use (ActivePairs, PairOf, Pair, RequestPanel).
type Service struct {
	db        *db.DB
	proj      Requester
	settings  SettingsSource
	discord   Discord
	bundle    *i18n.Bundle
	defLocale string
	botID     atomic.Uint64
	sections  *sectionSet
	log       *slog.Logger
	// inserter is an insert-only River client: owning it keeps the queue
	// (which needs our workers) out of our dependencies, as core/projection does.
	inserter *river.Client[*sql.Tx]
	// afterChannelCreate is a test hook run between creating a room and
	// recording it; an error simulates a crash at that point.
	afterChannelCreate func(channelID uint64) error
	// events counts gateway event handlers still running.
	events sync.WaitGroup
}

// NewService validates the configuration.
func NewService(cfg Config) (*Service, error) {
	switch {
	case cfg.DB == nil:
		return nil, errors.New("pairhome: Config.DB is nil")
	case cfg.Projections == nil:
		return nil, errors.New("pairhome: Config.Projections is nil")
	case cfg.Settings == nil:
		return nil, errors.New("pairhome: Config.Settings is nil")
	case cfg.Bundle == nil:
		return nil, errors.New("pairhome: Config.Bundle is nil")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	q, err := queue.NewQueue(cfg.DB, slog.New(slog.DiscardHandler))
	if err != nil {
		return nil, fmt.Errorf("pairhome: river insert client: %w", err)
	}
	s := &Service{
		db: cfg.DB, proj: cfg.Projections, settings: cfg.Settings, discord: cfg.Discord, bundle: cfg.Bundle,
		defLocale: cfg.DefaultLocale, sections: newSectionSet(cfg.Sections),
		log: cfg.Logger.With("module", Name), inserter: q.River,
	}
	s.botID.Store(cfg.BotUserID)
	return s, nil
}

// CreateInput names the two members and who asks.
type CreateInput struct {
	GuildID, MemberA, MemberB, By uint64
	// Display names, used for the room's name (any script is kept).
	NameA, NameB string
}

// Create pairs two members. It is idempotent: asking again for the same two
// members returns their pair (created=false) and re-queues a room that is
// still pending, which is how a crash between the steps is repaired.
func (s *Service) Create(ctx context.Context, in CreateInput) (PairRef, bool, error) {
	if in.MemberA == in.MemberB {
		return PairRef{}, false, ErrSelfPair
	}
	st, err := s.settings.Settings(ctx, in.GuildID)
	if err != nil {
		return PairRef{}, false, fmt.Errorf("pairhome: guild settings: %w", err)
	}
	if _, ok := st.Channel(Name, CategoryPurposeKey); !ok {
		// Refused up front: a pair without a place for its room helps nobody.
		return PairRef{}, false, ErrNoCategory
	}
	row := pairRow{GuildID: int64(in.GuildID), UserLow: int64(in.MemberA), UserHigh: int64(in.MemberB),
		RoomName: RoomName(in.NameA, in.NameB), CreatedBy: ptrID(in.By)}
	if in.MemberB < in.MemberA {
		row.UserLow, row.UserHigh = row.UserHigh, row.UserLow
		row.RoomName = RoomName(in.NameB, in.NameA)
	}
	// Concurrent creates meet on pairhome_members' primary key; the loser
	// retries and then sees the winner's pair.
	for attempt := 1; ; attempt++ {
		var (
			out     PairRef
			created bool
		)
		err := s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
			var err error
			out, created, err = s.createTx(ctx, tx, in, row)
			return err
		})
		if err != nil && db.IsUniqueViolation(err, "") && attempt < 3 {
			continue
		}
		return out, created, err
	}
}

func (s *Service) createTx(ctx context.Context, tx bun.Tx, in CreateInput, row pairRow) (PairRef, bool, error) {
	var existing []struct {
		UserID int64 `bun:"user_id"`
		PairID int64 `bun:"pair_id"`
	}
	if err := tx.NewRaw(`SELECT user_id, pair_id FROM pairhome_members WHERE guild_id = ? AND user_id IN (?, ?)`,
		int64(in.GuildID), int64(in.MemberA), int64(in.MemberB)).Scan(ctx, &existing); err != nil && !isNoRows(err) {
		return PairRef{}, false, fmt.Errorf("pairhome: read memberships: %w", err)
	}
	if len(existing) == 2 && existing[0].PairID == existing[1].PairID {
		r, err := lockPair(ctx, tx, existing[0].PairID)
		if err != nil {
			return PairRef{}, false, err
		}
		if r.RoomState == RoomPending {
			if err := s.enqueue(ctx, tx, RoomArgs{GuildID: in.GuildID, PairID: r.ID}); err != nil {
				return PairRef{}, false, err
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
		return PairRef{}, false, &AlreadyPairedError{UserID: uint64(e.UserID), PairID: e.PairID}
	}
	if err := insertPair(ctx, tx, &row); err != nil {
		return PairRef{}, false, err
	}
	if err := s.enqueue(ctx, tx, RoomArgs{GuildID: in.GuildID, PairID: row.ID}); err != nil {
		return PairRef{}, false, err
	}
	s.log.Info("pair created", "guild_id", in.GuildID, "pair_id", row.ID, "by", in.By, "action", "pair.create")
	return row.ref(), true, nil
}

// Dissolve archives a pair on a staff member's decision.
func (s *Service) Dissolve(ctx context.Context, guildID uint64, pairID int64, by uint64) (PairRef, error) {
	var out PairRef
	err := s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		r, err := lockPair(ctx, tx, pairID)
		if err != nil {
			return err
		}
		if uint64(r.GuildID) != guildID {
			return ErrNotFound
		}
		if r.Status != StatusActive {
			return ErrNotActive
		}
		out = r.ref()
		return s.archiveTx(ctx, tx, r, ReasonDissolved, by)
	})
	return out, err
}

// ConsentDissolve records that a member wants to dissolve their pair; the
// second member's consent archives it.
func (s *Service) ConsentDissolve(ctx context.Context, guildID uint64, pairID int64, userID uint64) (PairRef, bool, error) {
	var (
		out       PairRef
		dissolved bool
	)
	err := s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		r, err := lockPair(ctx, tx, pairID)
		if err != nil {
			return err
		}
		out = r.ref()
		switch {
		case uint64(r.GuildID) != guildID:
			return ErrNotFound
		case r.Status != StatusActive:
			return ErrNotActive
		case !out.Has(userID):
			return ErrNotMember
		}
		n, err := addConsent(ctx, tx, pairID, userID, consentTTL)
		if err != nil {
			return err
		}
		if n < 2 {
			return nil
		}
		dissolved = true
		return s.archiveTx(ctx, tx, r, ReasonDissolved, userID)
	})
	return out, dissolved, err
}

// MemberLeft archives the active pair of a member who left the guild.
func (s *Service) MemberLeft(ctx context.Context, guildID, userID uint64) (bool, error) {
	archived := false
	err := s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		r, err := activePairOf(ctx, tx, guildID, userID)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if r, err = lockPair(ctx, tx, r.ID); err != nil {
			return err
		}
		if r.Status != StatusActive {
			return nil
		}
		archived = true
		return s.archiveTx(ctx, tx, r, ReasonMemberLeft, 0)
	})
	return archived, err
}

// RoomDeleted handles a room deleted by hand: an active pair gets a new
// room; an archived pair's room is simply gone.
func (s *Service) RoomDeleted(ctx context.Context, guildID, channelID uint64) error {
	return s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		r, err := pairByChannel(ctx, tx, channelID)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if r, err = lockPair(ctx, tx, r.ID); err != nil {
			return err
		}
		if uint64(r.GuildID) != guildID {
			return nil
		}
		if r.Status == StatusActive {
			ok, err := forgetRoom(ctx, tx, r.ID, channelID)
			if err != nil || !ok {
				return err
			}
			s.log.Info("pair room deleted by hand; recreating it", "guild_id", guildID, "pair_id", r.ID, "channel_id", channelID)
			return s.enqueue(ctx, tx, RoomArgs{GuildID: guildID, PairID: r.ID})
		}
		if err := setRoomState(ctx, tx, r.ID, channelID, RoomDeleted); err != nil {
			return err
		}
		return s.RequestPanel(ctx, tx, r.ID)
	})
}

// archiveTx archives r and queues what follows: the room's archive and a
// last render of the panel.
func (s *Service) archiveTx(ctx context.Context, tx bun.Tx, r pairRow, reason string, by uint64) error {
	ok, err := archivePair(ctx, tx, r.ID, reason, by)
	if err != nil || !ok {
		return err
	}
	if err := s.enqueue(ctx, tx, ArchiveArgs{GuildID: uint64(r.GuildID), PairID: r.ID}); err != nil {
		return err
	}
	s.log.Info("pair archived", "guild_id", r.GuildID, "pair_id", r.ID, "reason", reason, "by", by, "action", "pair.archive")
	return s.RequestPanel(ctx, tx, r.ID)
}

// enqueue inserts a job in the caller's transaction.
func (s *Service) enqueue(ctx context.Context, tx bun.Tx, args river.JobArgs) error {
	if _, err := s.inserter.InsertTx(ctx, tx.Tx, args, nil); err != nil {
		return fmt.Errorf("pairhome: enqueue %s: %w", args.Kind(), err)
	}
	return nil
}

// locale picks the guild's language for texts the bot posts on its own.
func (s *Service) locale(ctx context.Context, guildID uint64) string {
	st, err := s.settings.Settings(ctx, guildID)
	if err != nil {
		return i18n.Resolve("", "", s.defLocale)
	}
	return i18n.Resolve(st.Locale, "", s.defLocale)
}

// enabledSections returns the sections whose module is on in the guild.
func enabledSections(st guild.Settings, all []Section) []Section {
	out := make([]Section, 0, len(all))
	for _, sec := range all {
		if st.ModuleOn(sec.Module) {
			out = append(out, sec)
		}
	}
	return out
}

func sortSections(in []Section) []Section {
	out := slices.Clone(in)
	slices.SortStableFunc(out, func(a, b Section) int {
		if a.Order != b.Order {
			return a.Order - b.Order
		}
		switch {
		case a.Module < b.Module:
			return -1
		case a.Module > b.Module:
			return 1
		}
		return 0
	})
	return out
}

func ptrID(id uint64) *int64 {
	if id == 0 {
		return nil
	}
	v := int64(id)
	return &v
}
