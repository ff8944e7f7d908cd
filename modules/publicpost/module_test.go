package publicpost_test

import (
	"testing"

	"go.uber.org/fx"

	"github.com/together-bot/together/core/i18n"
	"github.com/together-bot/together/core/interaction"
	"github.com/together-bot/together/core/moduletest"
	"github.com/together-bot/together/core/queue"
	"github.com/together-bot/together/modules/publicpost"
)

// TestDescriptorGraph builds the module's fx graph with the core's values
// stubbed and checks every contribution arrives.
func TestDescriptorGraph(t *testing.T) {
	t.Parallel()
	d := publicpost.Descriptor
	var svc *publicpost.Service
	jobs := moduletest.Contributed(t, d, queue.Jobs, fx.Populate(&svc))
	schedules := moduletest.Contributed(t, d, queue.Schedules)
	commands := moduletest.Contributed(t, d, interaction.Commands)
	catalogs := moduletest.Contributed(t, d, i18n.Catalogs)
	sections := moduletest.Contributed(t, d, interaction.StatusSections)
	if len(jobs) != 2 || len(schedules) != 1 || len(commands) != 1 || len(catalogs) != 1 || svc == nil {
		t.Fatalf("contributions: %d jobs, %d schedules, %d commands, %d catalogs, service %v",
			len(jobs), len(schedules), len(commands), len(catalogs), svc)
	}
	if len(sections) == 0 {
		t.Fatal("no admin status section")
	}
	if d.Name != "publicpost" || d.Migrations == nil {
		t.Fatalf("descriptor %+v", d)
	}
	if c := commands[0]; !c.Staff || c.Definition.Name != "post" {
		t.Fatalf("command %+v", c)
	}
}
