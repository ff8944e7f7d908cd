package projection

import (
	"log/slog"

	"github.com/disgoorg/disgo/rest"
	"go.uber.org/fx"

	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/module"
	"github.com/together-bot/together/core/queue"
)

// Module provides *Service and contributes the refresh and recheck workers
// and the recheck schedule. It collects Renderers and registers them once the
// Service exists, so a renderer may be built from a module service that needs
// the Service.
var Module = fx.Module("projection",
	fx.Provide(newFromFx),
	module.Collect(Renderers),
	fx.Invoke(func(s *Service, r module.Contributions[Renderer]) error { return s.Register(r.Items...) }),
	module.Contribute(queue.Jobs, Jobs),
	module.Contribute(queue.Schedules, func(s *Service) []queue.Schedule { return []queue.Schedule{s.Schedule()} }),
)

type fxParams struct {
	fx.In
	DB      *db.DB
	Queue   *queue.Queue
	Rest    rest.Rest
	Gate    queue.Gate   `optional:"true"`
	Logger  *slog.Logger `optional:"true"`
	Options *Options     `optional:"true"`
	// Observer records refresh results (ops.Metrics in the runtime).
	Observer Observer `optional:"true"`
}

func newFromFx(p fxParams) (*Service, error) {
	cfg := Config{DB: p.DB, Queue: p.Queue, Discord: p.Rest, Gate: p.Gate, Logger: p.Logger, Observer: p.Observer}
	if p.Options != nil {
		cfg.Options = *p.Options
	}
	return New(cfg)
}

// Jobs returns the jobs to add to the queue's registry when it is built
// outside fx (tests, tools).
func Jobs(s *Service) []queue.Job { return []queue.Job{s.Job(), s.RecheckJob()} }
