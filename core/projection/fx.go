package projection

import (
	"log/slog"

	"github.com/disgoorg/disgo/rest"
	"go.uber.org/fx"

	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/queue"
)

// Module provides *Service and contributes the refresh and recheck workers
// (group "jobs") and the recheck schedule (group "schedules"). Renderers come
// from group "renderers" and are registered once the Service exists, so a
// renderer may be built from a module service that needs the Service.
var Module = fx.Module("projection",
	fx.Provide(newFromFx),
	fx.Invoke(func(s *Service, p renderersIn) error { return s.Register(p.Renderers...) }),
	fx.Provide(
		fx.Annotate(func(s *Service) queue.Job { return s.Job() }, fx.ResultTags(`group:"jobs"`)),
		fx.Annotate(func(s *Service) queue.Job { return s.RecheckJob() }, fx.ResultTags(`group:"jobs"`)),
		fx.Annotate(func(s *Service) queue.Schedule { return s.Schedule() }, fx.ResultTags(`group:"schedules"`)),
	),
)

// renderersIn is registered after the Service is built (see Register).
type renderersIn struct {
	fx.In
	Renderers []Renderer `group:"renderers"`
}

type fxParams struct {
	fx.In
	DB      *db.DB
	Rest    rest.Rest
	Gate    queue.Gate   `optional:"true"`
	Logger  *slog.Logger `optional:"true"`
	Options *Options     `optional:"true"`
	// Observer records refresh results (ops.Metrics in the runtime).
	Observer Observer `optional:"true"`
}

func newFromFx(p fxParams) (*Service, error) {
	cfg := Config{DB: p.DB, Discord: p.Rest, Gate: p.Gate, Logger: p.Logger, Observer: p.Observer}
	if p.Options != nil {
		cfg.Options = *p.Options
	}
	return New(cfg)
}

// Jobs returns the jobs to add to the queue's registry when it is built
// outside fx (tests, tools).
func Jobs(s *Service) []queue.Job { return []queue.Job{s.Job(), s.RecheckJob()} }
