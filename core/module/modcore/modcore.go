// Package modcore is the one dependency a module takes on the core: the
// services every module may use, as a single fx parameter. It lives beside
// core/module rather than in it because the services' packages declare their
// extension points with core/module.
package modcore

import (
	"errors"
	"fmt"
	"log/slog"

	"github.com/disgoorg/disgo/rest"
	"go.uber.org/fx"

	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/guild"
	"github.com/together-bot/together/core/i18n"
	"github.com/together-bot/together/core/module"
	"github.com/together-bot/together/core/projection"
	"github.com/together-bot/together/core/queue"
)

// Core is what the core offers a module. Take it as a constructor's
// parameter, or embed it in the service (it is a plain value, not an fx.In
// struct); in tests, fill the fields a service uses.
type Core struct {
	DB    *db.DB
	Queue *queue.Queue
	// Guilds gives guild settings, the locale and timezone with the
	// deployment's defaults, and the per-guild module switch.
	Guilds *guild.Service
	// Bundle holds every catalog's texts.
	Bundle *i18n.Bundle
	// Logger already carries module=<name>.
	Logger      *slog.Logger
	Projections *projection.Service
	Rest        rest.Rest
}

// Ready is c checked for a service's constructor: an error naming the
// module and every service of need that is nil, and slog.Default() for a nil
// Logger (tests often leave it out).
func (c Core) Ready(moduleName string, need Need) (Core, error) {
	var missing []error
	for _, f := range []struct {
		need Need
		name string
		nil  bool
	}{
		{DB, "DB", c.DB == nil}, {Queue, "Queue", c.Queue == nil}, {Guilds, "Guilds", c.Guilds == nil},
		{Bundle, "Bundle", c.Bundle == nil}, {Projections, "Projections", c.Projections == nil}, {Rest, "Rest", c.Rest == nil},
	} {
		if need&f.need != 0 && f.nil {
			missing = append(missing, fmt.Errorf("%s: Core.%s is nil", moduleName, f.name))
		}
	}
	if err := errors.Join(missing...); err != nil {
		return Core{}, err
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c, nil
}

// Need is the set of Core's services a constructor cannot do without:
// modcore.DB|modcore.Queue.
type Need uint8

// The services Ready can require.
const (
	DB Need = 1 << iota
	Queue
	Guilds
	Bundle
	Projections
	Rest
)

// Options is a module's fx.Option as the runtime adds it: the module's own
// options, with a Core of their own whose Logger carries module=<name>.
func Options(m module.Descriptor) fx.Option {
	if m.Options == nil {
		return nil
	}
	return fx.Module(m.Name+".core",
		// Private: each module gets its own Core, other modules cannot see it.
		fx.Provide(fx.Private, coreFor(m.Name)),
		m.Options)
}

// coreFor builds the Core of the module called name.
func coreFor(name string) func(*db.DB, *queue.Queue, *guild.Service, *i18n.Bundle, *slog.Logger, *projection.Service, rest.Rest) Core {
	return func(d *db.DB, q *queue.Queue, g *guild.Service, b *i18n.Bundle, l *slog.Logger, p *projection.Service, r rest.Rest) Core {
		return Core{DB: d, Queue: q, Guilds: g, Bundle: b, Logger: l.With("module", name), Projections: p, Rest: r}
	}
}
