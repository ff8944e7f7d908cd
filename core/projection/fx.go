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
// from group "renderers". There is no cycle with the Queue: the Service
// inserts through its own insert-only River client (see Service.inserter).
var Module = fx.Module("projection",
	fx.Provide(newFromFx),
	fx.Provide(
		fx.Annotate(func(s *Service) queue.Job { return s.Job() }, fx.ResultTags(`group:"jobs"`)),
		fx.Annotate(func(s *Service) queue.Job { return s.RecheckJob() }, fx.ResultTags(`group:"jobs"`)),
		fx.Annotate(func(s *Service) queue.Schedule { return s.Schedule() }, fx.ResultTags(`group:"schedules"`)),
	),
)

type fxParams struct {
	fx.In
	DB        *db.DB
	Rest      rest.Rest
	Renderers []Renderer   `group:"renderers"`
	Gate      queue.Gate   `optional:"true"`
	Logger    *slog.Logger `optional:"true"`
	Options   *Options     `optional:"true"`
}

func newFromFx(p fxParams) (*Service, error) {
	cfg := Config{DB: p.DB, Discord: p.Rest, Renderers: p.Renderers, Gate: p.Gate, Logger: p.Logger}
	if p.Options != nil {
		cfg.Options = *p.Options
	}
	return New(cfg)
}

// Jobs returns the jobs to add to the queue's registry when it is built
// outside fx (tests, tools).
func Jobs(s *Service) []queue.Job { return []queue.Job{s.Job(), s.RecheckJob()} }
