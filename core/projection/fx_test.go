package projection_test

import (
	"testing"

	"github.com/disgoorg/disgo/rest"
	"go.uber.org/fx"

	"github.com/together-bot/together/core/projection"
	"github.com/together-bot/together/core/queue"
	"github.com/together-bot/together/discordsim"
)

// TestModuleWiring builds the graph the runtime builds: renderers in, jobs
// and the schedule out, with no cycle through the queue.
func TestModuleWiring(t *testing.T) {
	t.Parallel()
	w := newWorld(t, discordsim.Options{})
	d := newDB(t)
	type jobsIn struct {
		fx.In
		Jobs      []queue.Job      `group:"jobs"`
		Schedules []queue.Schedule `group:"schedules"`
	}
	var (
		svc  *projection.Service
		got  jobsIn
		kind string
	)
	app := fx.New(fx.NopLogger,
		fx.Supply(d, fx.Annotate(w.rest(), fx.As(new(rest.Rest)))),
		fx.Provide(fx.Annotate(func() projection.Renderer { return renderer(false) }, fx.ResultTags(`group:"renderers"`))),
		projection.Module,
		fx.Invoke(func(s *projection.Service, j jobsIn) { svc, got = s, j }),
	)
	if err := app.Err(); err != nil {
		t.Fatal(err)
	}
	if len(got.Jobs) != 2 || len(got.Schedules) != 1 {
		t.Fatalf("contributed %d jobs and %d schedules", len(got.Jobs), len(got.Schedules))
	}
	for _, j := range got.Jobs {
		if j.Module != projection.QueueName {
			t.Errorf("job %s in module %q", j.Kind, j.Module)
		}
		if j.Kind == "projection.refresh" {
			kind = j.Kind
		}
	}
	if kind == "" || len(svc.Kinds()) != 1 {
		t.Fatalf("refresh job missing or renderers not registered: %v", svc.Kinds())
	}
	if _, err := queue.NewRegistry(got.Jobs); err != nil {
		t.Fatal(err)
	}
}
