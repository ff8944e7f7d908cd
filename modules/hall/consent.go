package hall

import (
	"context"
	"errors"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/together-bot/together/modules/hall/hallapi"
	"github.com/together-bot/together/modules/pairhome/pairhomeapi"
)

// choiceAll is the /hall choice meaning every deployed category.
const choiceAll = "all"

// resolve turns a /hall choice into category keys. "all" means the
// categories deployed now: consent to a category added later must be given
// again, so nobody is named somewhere they never agreed to.
func (s *Service) resolve(choice string) ([]string, error) {
	if choice == choiceAll {
		keys := make([]string, len(s.categories))
		for i, c := range s.categories {
			keys[i] = c.Key
		}
		return keys, nil
	}
	if _, ok := s.category(choice); !ok {
		return nil, ErrUnknownCategory
	}
	return []string{choice}, nil
}

// OptIn records the member's consent to be named in the chosen categories
// and, in the same transaction, requests every card it can change: the live
// card, and past cards that name the member, which show the names again.
func (s *Service) OptIn(ctx context.Context, guildID, userID uint64, choice string) error {
	keys, err := s.resolve(choice)
	if err != nil {
		return err
	}
	return s.DB.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := addOptins(ctx, tx, guildID, userID, keys); err != nil {
			return err
		}
		return s.requestConsentCards(ctx, tx, guildID, userID)
	})
}

// OptOut withdraws consent. The live card drops the pair and every final
// card naming the member hides the pair's names, at the refreshes this
// transaction requests. "all" withdraws every category, deployed or not.
func (s *Service) OptOut(ctx context.Context, guildID, userID uint64, choice string) error {
	var keys []string
	if choice != choiceAll {
		var err error
		if keys, err = s.resolve(choice); err != nil {
			return err
		}
	}
	return s.DB.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := removeOptins(ctx, tx, guildID, userID, keys); err != nil {
			return err
		}
		return s.requestConsentCards(ctx, tx, guildID, userID)
	})
}

// requestConsentCards requests, in tx, every card a consent change of userID
// can alter, oldest first (the stable order core/projection asks for).
func (s *Service) requestConsentCards(ctx context.Context, tx bun.Tx, guildID, userID uint64) error {
	months, err := consentCardMonths(ctx, tx, guildID, userID)
	if err != nil {
		return err
	}
	for _, m := range months {
		if err := s.refresher.proj.Request(ctx, tx, CardKind, cardKey(guildID, m)); err != nil {
			return fmt.Errorf("hall: request card %s: %w", cardKey(guildID, m), err)
		}
	}
	return nil
}

// CategoryStatus is one line of /hall status.
type CategoryStatus struct {
	Category hallapi.Category
	// On: the category's module is on in the guild.
	On bool
	// Mine and Partner's consent; HasPair is false for members without an
	// active pair (then Partner is false).
	Mine, Partner, HasPair bool
}

// Status reports the member's (and their partner's) consent per deployed
// category.
func (s *Service) Status(ctx context.Context, guildID, userID uint64) ([]CategoryStatus, error) {
	mine, err := memberOptins(ctx, s.DB.Bun, guildID, userID)
	if err != nil {
		return nil, err
	}
	var partner map[string]bool
	p, err := s.pairs.PairOf(ctx, nil, guildID, userID)
	switch {
	case errors.Is(err, pairhomeapi.ErrNoPair):
	case err != nil:
		return nil, err
	default:
		if partner, err = memberOptins(ctx, s.DB.Bun, guildID, p.Partner(userID)); err != nil {
			return nil, err
		}
	}
	out := make([]CategoryStatus, 0, len(s.categories))
	for _, c := range s.categories {
		on, err := s.guilds.ModuleEnabled(ctx, c.Module, guildID)
		if err != nil {
			return nil, err
		}
		out = append(out, CategoryStatus{Category: c, On: on, Mine: mine[c.Key], Partner: partner[c.Key], HasPair: partner != nil})
	}
	return out, nil
}
