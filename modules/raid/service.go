package raid

import (
	"sync/atomic"
	"time"

	"go.uber.org/fx"

	"github.com/together-bot/together/core/module/modcore"
	"github.com/together-bot/together/modules/hall/hallapi"
	"github.com/together-bot/together/modules/pairhome/pairhomeapi"
)

// serviceConfig is what a service is built from: fx fills it, tests write
// it as a literal.
type serviceConfig struct {
	fx.In `ignore-unexported:"true"`
	// Core gives the database, queue, guild settings (locale, timezone, raid
	// channel), texts, dashboards, logger, and Rest to post in pair rooms.
	Core  modcore.Core
	Pairs pairhomeapi.Pairs
	Hall  hallapi.Refresher `optional:"true"` // nil: hall not deployed
	// now is the clock (tests move it); nil is time.Now.
	now func() time.Time
}

// service holds the raid's rules. Every state change is one transaction
// that also requests the dashboard and panels and inserts the jobs that
// follow from it.
type service struct {
	modcore.Core
	pairs pairhomeapi.Pairs
	hall  hallapi.Refresher
	now   func() time.Time
	// libraryLoaded is set once the shipped quests are upserted.
	libraryLoaded atomic.Bool
}

// newService checks the core services the raid cannot run without; it
// does no I/O.
func newService(cfg serviceConfig) (*service, error) {
	core, err := cfg.Core.Ready(Name, modcore.DB|modcore.Queue|modcore.Guilds|modcore.Bundle|modcore.Projections)
	if err != nil {
		return nil, err
	}
	if cfg.now == nil {
		cfg.now = time.Now
	}
	return &service{Core: core, pairs: cfg.Pairs, hall: cfg.Hall, now: cfg.now}, nil
}

func (s *service) t(locale, key string, args ...any) string { return s.Bundle.T(locale, key, args...) }
