package projection_test

import (
	"testing"

	"github.com/disgoorg/disgo/rest"
	"go.uber.org/fx"

	"github.com/together-bot/together/core/module"
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
		Jobs      module.Contributions[queue.Job]
		Schedules module.Contributions[queue.Schedule]
	}
	var (
		svc  *projection.Service
		got  jobsIn
		kind string
	)
	app := fx.New(fx.NopLogger,
		fx.Supply(d, fx.Annotate(w.rest(d), fx.As(new(rest.Rest)))),
		module.Add(projection.Renderers, renderer(false)),
		fx.Provide(func() *queue.Queue { return nil }),
		projection.Module, module.Collect(queue.Jobs), module.Collect(queue.Schedules),
		fx.Invoke(func(s *projection.Service, j jobsIn) { svc, got = s, j }),
	)
	if err := app.Err(); err != nil {
		t.Fatal(err)
	}
	if len(got.Jobs.Items) != 2 || len(got.Schedules.Items) != 1 {
		t.Fatalf("contributed %d jobs and %d schedules", len(got.Jobs.Items), len(got.Schedules.Items))
	}
	for _, j := range got.Jobs.Items {
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
	if _, err := queue.NewRegistry(got.Jobs.Items); err != nil {
		t.Fatal(err)
	}
}
